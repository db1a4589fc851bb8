// cs's command hooks reach Claude Code as a plugin: a directory marketplace
// in cs's data dir holding one plugin whose hooks/hooks.json lists them.
// settings.json only names the marketplace and enables the plugin. Why not
// the hooks in settings.json itself: a Claude that `cs <name>` launches gets
// cs's hooks through `--settings` (the hot ones over HTTP), and a hook in
// settings.json cannot be switched off for one launch, so every tool call
// also started each command hook only for it to step aside (8–27 ms each as
// Claude Code saw it). A plugin can: `--settings` sets its enabledPlugins
// entry to false (flag settings override user settings; checked with the
// real Claude Code 2.1.330, which loads a directory marketplace's plugins in
// place, from the declared path). Formats: code.claude.com/docs/en/plugins
// and /plugin-marketplaces. Pure but for writePlugin.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HookRegistration } from '../hooks/registry.js';
import { UserError } from '../lib/errors.js';
import { writeFileAtomic } from '../lib/fsutil.js';
import { dataDir } from '../update/layout.js';
import { hookGroups } from './settings.js';

type JsonObject = { [k: string]: unknown };

/** The marketplace's name and the plugin's: `cs@claude-sessions` in enabledPlugins. */
export const MARKETPLACE = 'claude-sessions';
export const PLUGIN = 'cs';
export const PLUGIN_ID = `${PLUGIN}@${MARKETPLACE}`;

/** The marketplace directory: `<data dir>/claude-plugin` (removed with the data dir by `cs -uninstall`). */
export function marketplaceDir(env: NodeJS.ProcessEnv): string {
  return path.join(dataDir(env), 'claude-plugin');
}

/** The plugin's hooks/hooks.json, whose commands run `<hooksDir>/<script>`. */
export function pluginHooksFile(env: NodeJS.ProcessEnv): string {
  return path.join(marketplaceDir(env), PLUGIN, 'hooks', 'hooks.json');
}

/**
 * The marketplace's files, relative path → text: its catalogue, the plugin's
 * manifest (version: cs's) and its hooks.json, built from `regs` exactly as
 * the entries settings.json used to hold.
 */
export function pluginFiles(hooksDir: string, regs: readonly HookRegistration[], version: string): Record<string, string> {
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  const description = "cs (claude-sessions): the session's change log, artifact capture, timeline, status and autosave";
  return {
    '.claude-plugin/marketplace.json': json({ name: MARKETPLACE, owner: { name: 'cs' }, plugins: [{ name: PLUGIN, source: `./${PLUGIN}`, description, version }] }),
    [`${PLUGIN}/.claude-plugin/plugin.json`]: json({ name: PLUGIN, version, description }),
    [`${PLUGIN}/hooks/hooks.json`]: json({ description, hooks: hookGroups(hooksDir, regs) }),
  };
}

/** Writes the marketplace into the data dir; a file already as it should be is left alone. */
export function writePlugin(env: NodeJS.ProcessEnv, hooksDir: string, regs: readonly HookRegistration[], version: string): void {
  const root = marketplaceDir(env);
  for (const [rel, text] of Object.entries(pluginFiles(hooksDir, regs, version))) {
    const file = path.join(root, rel);
    let current: string | null = null;
    try {
      current = fs.readFileSync(file, 'utf8');
    } catch {
      // absent
    }
    if (current === text) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, text);
  }
}

const REFUSED_HINT = 'fix or move it, then run the installer again; nothing was changed';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Refuses enabledPlugins / extraKnownMarketplaces that are not objects: replacing them would lose the user's. Throws UserError. */
export function validatePluginShapes(settings: JsonObject, file: string): void {
  for (const key of ['enabledPlugins', 'extraKnownMarketplaces']) {
    if (key in settings && !isObject(settings[key])) throw new UserError(`"${key}" in ${file} is not an object`, REFUSED_HINT);
  }
}

/**
 * The settings with cs's marketplace declared (a directory source at `dir`)
 * and its plugin enabled; the rest untouched. A plugin the user switched
 * off (`/plugin` writes `false`) stays off: `cs -install` and `cs -update`
 * do not overrule that choice (a Claude that cs launches still gets every
 * hook, src/hooks/server.ts).
 */
export function withOurPlugin(settings: JsonObject, dir: string): JsonObject {
  const markets = isObject(settings.extraKnownMarketplaces) ? settings.extraKnownMarketplaces : {};
  const enabled = isObject(settings.enabledPlugins) ? settings.enabledPlugins : {};
  return {
    ...settings,
    extraKnownMarketplaces: { ...markets, [MARKETPLACE]: { source: { source: 'directory', path: dir } } },
    enabledPlugins: { ...enabled, [PLUGIN_ID]: enabled[PLUGIN_ID] !== false },
  };
}

/** The settings without cs's marketplace and plugin entries; an object left empty by that goes too. */
export function withoutOurPlugin(settings: JsonObject): JsonObject {
  const next: JsonObject = { ...settings };
  const drop = (key: string, entry: string) => {
    const v = next[key];
    if (!isObject(v) || !(entry in v)) return;
    const rest = { ...v };
    delete rest[entry];
    if (Object.keys(rest).length === 0) delete next[key];
    else next[key] = rest;
  };
  drop('extraKnownMarketplaces', MARKETPLACE);
  drop('enabledPlugins', PLUGIN_ID);
  return next;
}

/**
 * cs's plugin in these settings: 'on' when they declare its marketplace at
 * `dir` and enable it (what `cs -install` writes), 'off' when they declare
 * it and the user switched it off, 'none' otherwise.
 */
export function pluginState(settings: unknown, dir: string): 'on' | 'off' | 'none' {
  if (!isObject(settings)) return 'none';
  const market = isObject(settings.extraKnownMarketplaces) ? settings.extraKnownMarketplaces[MARKETPLACE] : undefined;
  const source = isObject(market) && isObject(market.source) ? market.source : undefined;
  if (source?.source !== 'directory' || source.path !== dir) return 'none';
  const flag = isObject(settings.enabledPlugins) ? settings.enabledPlugins[PLUGIN_ID] : undefined;
  return flag === true ? 'on' : flag === false ? 'off' : 'none';
}

/** Whether these settings enable cs's plugin from the marketplace at `dir` (what `cs -install` writes). */
export function pluginEnabled(settings: unknown, dir: string): boolean {
  return pluginState(settings, dir) === 'on';
}
