export * from "./usage.js";
export * from "./request.js";
export * from "./response.js";
export * from "./answer-writer.js";
