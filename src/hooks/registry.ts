// The hook entries cs registers in Claude Code's settings.json. install.ts
// merges exactly these (and `cs -uninstall` removes exactly these); the hooks
// issue fills the list. `script` is a file in the package's hooks/ folder.
export interface HookRegistration {
  event: string;
  matcher?: string;
  script: string;
  /** Run in the background: for pure logging that must never block Claude. */
  async?: boolean;
  /** Seconds. */
  timeout?: number;
}

export const HOOKS: readonly HookRegistration[] = [];
