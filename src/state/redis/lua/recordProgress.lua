--[[
  recordProgress: record how far partitions (and Debezium heartbeat topics) have been read.
  The source time only moves forward, so a new owner after a rebalance, or a replay, never moves a
  watermark back.

  KEYS[1] watermarks (HASH): field "p|<topic>|<partition>" -> "<max source ts ms>|<position>|<reported at ms>"
  ARGV: repeated triples (field, source ts ms, position), then the report time (ms) last. The position is
  the offset of the next message the group will read (-1 when unknown); it is recorded as reported,
  so after a rebalance the new owner's position replaces the old one's.
  Returns the number of fields written.
]]
local at = ARGV[#ARGV]
local written = 0
for i = 1, #ARGV - 1, 3 do
  local field, ts, position = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local old = redis.call('HGET', KEYS[1], field)
  if old then
    local oldTs = tonumber(string.match(old, '^([^|]+)'))
    if oldTs > ts then ts = oldTs end
  end
  redis.call('HSET', KEYS[1], field, string.format('%d', ts) .. '|' .. position .. '|' .. at)
  written = written + 1
end
return written
