// Tests of real programs skip on a developer machine that lacks one, but in
// CI (which installs them all) a missing program must fail the test, never
// silently skip it.
export function lacks(available: boolean): boolean {
  return !available && !process.env.CI;
}
