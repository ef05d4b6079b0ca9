/** What outlast knows of Anthropic's API besides its bodies: where it is and what it names its ids. */

/** The public endpoint, written as the official SDK takes it: without a version path. */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** The response header the SDK reads into `requestID` (the body's `request_id` says the same). */
export const ANTHROPIC_REQUEST_ID_HEADER = 'request-id';
