/**
 * Which of two copies of a shared record wins, the same rule in JS (for what we hear) and in
 * Lua (for what Redis keeps), so every instance converges on one state.
 */
import type { BreakerState, CooldownEntry } from '../policy/index.ts';

/**
 * A breaker state from elsewhere replaces ours when it is a later transition (higher epoch),
 * or the same epoch moved to another state later. Same-epoch closed-window updates stay local:
 * failure counts are per instance, transitions are shared.
 */
export function breakerReplaces(incoming: BreakerState, local: BreakerState | undefined): boolean {
  if (!local) return true;
  if (incoming.epoch !== local.epoch) return incoming.epoch > local.epoch;
  return incoming.state !== local.state && incoming.updatedAt > local.updatedAt;
}

/** Whether our state is a transition the store has not seen yet. */
export function breakerNeedsPush(local: BreakerState, stored: BreakerState | undefined): boolean {
  if (!stored) return true;
  if (local.epoch !== stored.epoch) return local.epoch > stored.epoch;
  return local.state !== stored.state && local.updatedAt > stored.updatedAt;
}

/** A cooldown only extends. */
export function cooldownReplaces(incoming: CooldownEntry, local: CooldownEntry | undefined): boolean {
  return !local || incoming.untilMs > local.untilMs;
}

// KEYS[1] hash; ARGV: field, json, epoch, updatedAt, state, channel, message.
// Stores the state unless the stored one is a later transition; returns the winner when not stored.
export const BREAKER_SET_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur)
  local e = tonumber(ARGV[3])
  local u = tonumber(ARGV[4])
  if c.epoch > e or (c.epoch == e and (c.state == ARGV[5] or c.updatedAt >= u)) then return cur end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return false
`;

// KEYS[1] hash; ARGV: field, json, untilMs, channel, message. Extends only.
export const COOLDOWN_SET_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur)
  if c.untilMs >= tonumber(ARGV[3]) then return cur end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return false
`;

// KEYS[1] hash; ARGV: field, untilMs seen, channel, message. Deletes unless someone extended it since.
export const COOLDOWN_DELETE_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local c = cjson.decode(cur)
if c.untilMs > tonumber(ARGV[2]) then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;
