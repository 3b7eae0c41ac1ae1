/** The SDK version, sent to the server as `X-Bentoo-SDK: js/<version>`. */
export const VERSION = "0.1.0";
