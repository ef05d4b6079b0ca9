export { deltaChars } from './delta-chars.ts';
export { isContentPart } from './is-content-part.ts';
export { responseToParts } from './response-parts.ts';
export type * from './types.ts';
