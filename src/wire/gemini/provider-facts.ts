/** What outlast knows of Gemini's API besides its bodies: where it is and what it names its ids. */

/** The public endpoint, written as @google/genai takes it: without a version path. */
export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/**
 * The response headers that may carry a request id, in order of preference: proxies and
 * compatible servers send `x-request-id`; Google's front ends send `x-goog-request-id`.
 */
export const GEMINI_REQUEST_ID_HEADERS = ['x-request-id', 'x-goog-request-id'] as const;
