export * from "./answer-writer.js";
export * from "./embedding.js";
export * from "./request.js";
export * from "./response.js";
export * from "./usage.js";
