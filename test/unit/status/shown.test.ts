// The one state -live and -ls show (src/status/shown.ts), as a table.
import { describe, expect, it } from 'vitest';
import { shownState, type StateInputs } from '../../../src/status/shown.js';

const started = '2026-03-01T10:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('shownState', () => {
  it.each<[string, StateInputs, ReturnType<typeof shownState>]>([
    ['hosted, a status of this run', { status: { state: 'working', ms: at('2026-03-01T10:00:05Z') }, hosted: { started }, postmortem: false }, { state: 'working', fromStatus: true }],
    ["hosted, the last run's status (before the first hook event)", { status: { state: 'needs-you', ms: at('2026-03-01T09:00:00Z') }, hosted: { started }, postmortem: false }, { state: 'idle', fromStatus: false }],
    ['hosted, closed left by the last run', { status: { state: 'closed', ms: at('2026-03-01T10:00:05Z') }, hosted: { started }, postmortem: false }, { state: 'idle', fromStatus: false }],
    ['hosted, Claude not launched yet', { status: { state: 'closed', ms: 0 }, hosted: { started: null }, postmortem: false }, { state: 'starting', fromStatus: false }],
    ['hosted, an unseen postmortem of an earlier run', { status: null, hosted: { started }, postmortem: true }, { state: 'idle', fromStatus: false }],
    ['not running, ended unexpectedly', { status: { state: 'closed', ms: 1 }, hosted: null, postmortem: true }, { state: 'ended-unexpectedly', fromStatus: false }],
    ['not running, closed', { status: { state: 'closed', ms: 1 }, hosted: null, postmortem: false }, { state: 'closed', fromStatus: true }],
    ['not hosted, a status from hooks (a Claude cs did not start)', { status: { state: 'working', ms: 1 }, hosted: null, postmortem: false }, { state: 'working', fromStatus: true }],
    ['nothing recorded', { status: null, hosted: null, postmortem: false }, null],
  ])('%s', (_what, inputs, expected) => {
    expect(shownState(inputs)).toEqual(expected);
  });
});
