/** What outlast knows of OpenAI's API besides its bodies: where it is and what it names its ids. */

/** The public endpoint, written as the official SDK takes it: with the version path. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** The response header the SDK reads into `requestID`. */
export const OPENAI_REQUEST_ID_HEADER = 'x-request-id';
