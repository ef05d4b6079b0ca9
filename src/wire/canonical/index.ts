export { isContentPart } from './is-content-part.ts';
export type * from './types.ts';
