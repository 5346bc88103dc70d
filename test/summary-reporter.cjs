// Ends the run with the plain line CI reads: "N passed, N failed" (plus skipped when any). Jest's
// own summary reporter always runs last, so the line is written as the process exits. Under
// `npm test` (test/run.mjs sets CORRAL_SUMMARY_FILE) the counts also go to that file, the line is
// labelled "jest:", and run.mjs prints the one combined line after the browser specs.
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites + (results.numTotalTestSuites === 0 ? 1 : 0);
    const skipped = results.numPendingTests + results.numTodoTests;
    const file = process.env.CORRAL_SUMMARY_FILE;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
    const line = `${file ? 'jest: ' : ''}${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;
