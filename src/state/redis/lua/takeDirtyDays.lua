--[[
  takeDirtyDays: move the days whose aggregates changed into the judge's pending set, and return
  every pending day. Atomic, so a day marked dirty while the judge works is never lost.

  KEYS[1] dirty days (SET, written by applyChanges)   KEYS[2] pending days (SET, the judge's)
  Returns the pending days (day numbers as strings).
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[1])
  redis.call('DEL', KEYS[1])
end
return redis.call('SMEMBERS', KEYS[2])
