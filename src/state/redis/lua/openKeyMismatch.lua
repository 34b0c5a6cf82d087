--[[
  openKeyMismatch: move a decided key difference from the undecided set to the open mismatches, but
  only if it is still the same difference the judge decided on (same first-seen time): an apply that
  ran in between may have resolved it, or resolved and re-opened it.

  KEYS[1] undecided differences (ZSET)   KEYS[2] open key mismatches (HASH)
  ARGV[1] canonical key   ARGV[2] first-seen time (ms) the judge decided on   ARGV[3] mismatch record (JSON)

  Returns 1 when moved, 0 when the difference is gone or changed (nothing written).
]]
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
