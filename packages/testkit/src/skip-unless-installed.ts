// skipUnlessInstalled: the `skip` option for a test that needs something scripts/setup installs (Kafka's jars, kcat,
// a built client). On a developer machine that has not run setup, the test is skipped with a message naming what is
// missing. In CI (CI=true) it never skips: setup has run there, so a missing piece is a failure to be seen, not a
// quietly skipped test.
export function skipUnlessInstalled(installed: boolean, what: string): string | false {
  if (installed || process.env.CI) return false;
  return `${what} is not installed (run scripts/setup)`;
}
