/**
 * What Anthropic and OpenAI-compatible servers write when the account's credit, spend limit
 * or quota is spent, whatever status and type they send it with. Anthropic answers a spent
 * credit balance with a 400 `invalid_request_error` ("Your credit balance is too low to
 * access the Anthropic API…") and a reached spend limit with a 400 or 429 ("You have reached
 * your specified API usage limits. You will regain access on …"); OpenAI's `insufficient_quota`
 * 429 says "You exceeded your current quota…", its image endpoints "Billing hard limit has
 * been reached"; DeepSeek and OpenRouter-style servers "Insufficient Balance" / "Insufficient
 * credits". Not for Gemini: its per-minute rate limits use the same "exceeded your current
 * quota" words, and only its QuotaFailure details tell a daily quota apart.
 */
const QUOTA_TEXT =
  /credit balance is too low|specified api usage limits?|exceeded your current quota|billing hard limit|insufficient (account )?(balance|credits?|quota|funds)/i;

/** Whether a 4xx (or an in-band error, `status` undefined) says the account's quota or credit is spent. */
export function saysQuotaExhausted(status: number | undefined, message: string | undefined): boolean {
  if (message === undefined) return false;
  if (status !== undefined && (status < 400 || status >= 500)) return false;
  return QUOTA_TEXT.test(message);
}
