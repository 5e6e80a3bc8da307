export * from "./contracts/common.js";
export * from "./contracts/problems.js";
export * from "./contracts/tracks.js";
export * from "./contracts/health.js";
export * from "./contracts/mastery.js";
