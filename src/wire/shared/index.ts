export { bodyExcerpt } from './body-excerpt.ts';
export { getHeader, headerGetter } from './headers.ts';
export { isPlainObject } from './is-plain-object.ts';
export { formatSse, formatSseComment } from './sse.ts';
