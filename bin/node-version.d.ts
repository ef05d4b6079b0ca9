/** The message for a Node older than 22.19, or undefined when this one will do. */
export function unsupportedNodeMessage(version: string): string | undefined;
