// Ends the run with the plain line CI reads: "N passed, N failed" (plus skipped when any). Jest's
// own summary reporter always runs last, so the line is written as the process exits.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites + (results.numTotalTestSuites === 0 ? 1 : 0);
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;
