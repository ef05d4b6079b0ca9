export { isContentPart } from './is-content-part.ts';
export { responseToParts } from './response-parts.ts';
export type * from './types.ts';
