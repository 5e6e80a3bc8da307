/**
 * Imported first by every entry point: the CO runs on Node 24 LTS (isolated-vm 7, the
 * evaluator's sandbox, needs it), and an older Node would fail later with a cryptic
 * native-module error. One clear line instead, then exit.
 */
const REQUIRED_MAJOR = 24;

const major = Number(process.versions.node.split(".")[0]);
if (major < REQUIRED_MAJOR) {
  console.error(
    `The Curriculum Orchestrator needs Node ${REQUIRED_MAJOR} LTS; this is Node ${process.versions.node}. ` +
      `Run it through npm (npm start, npm test), which uses the Node 24 that npm install put in node_modules/.bin.`,
  );
  process.exit(1);
}
