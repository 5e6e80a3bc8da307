export { LocalEvaluator, type LocalEvaluatorOptions } from "./local-evaluator.js";
export { resultsMatch } from "./compare.js";
