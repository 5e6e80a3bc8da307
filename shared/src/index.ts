// First, so every contract parses with the actionable issue messages.
import "./contracts/issue-messages.js";
export * from "./contracts/enums.js";
export * from "./contracts/common.js";
export * from "./contracts/problems.js";
export * from "./contracts/tracks.js";
export * from "./contracts/health.js";
export * from "./contracts/mastery.js";
export * from "./contracts/sessions.js";
export * from "./contracts/submissions.js";
export * from "./contracts/tutor.js";
export * from "./contracts/study.js";
