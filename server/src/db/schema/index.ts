export * from "./tracks.js";
export * from "./problems.js";
export * from "./sessions.js";
export * from "./submissions.js";
export * from "./learning.js";
export * from "./rubrics.js";
export * from "./study.js";
export * from "./tutor.js";
