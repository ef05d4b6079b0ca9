export { bodyExcerpt } from './body-excerpt.ts';
export { getHeader, headerGetter } from './headers.ts';
export { formatSse, formatSseComment } from './sse.ts';
