--[[
  applyChanges: apply a batch of normalised change events of one entity shard to the per-key and
  per-day state of both sides, atomically, idempotently and in version order per key.

  Every key lies in one Redis Cluster hash slot: they all carry the shard's hash tag {prefix:entity:shard}.

  KEYS[1]  day aggregates of side a   HASH  "<day>:n" count, "<day>:h"/"<day>:l" digest limbs,
  KEYS[2]  day aggregates of side b         "<day>:<i>h"/"<day>:<i>l" amount i limbs (all HINCRBY integers)
  KEYS[3]  undecided differences     ZSET  member canonical key, score first-seen source time (ms)
  KEYS[4]  dirty days                SET   day numbers whose aggregates changed since the judge looked
  KEYS[5]  open key mismatches       HASH  canonical key -> mismatch record (written by the judge)
  KEYS[6]  resolved key mismatches   LIST  records moved out of KEYS[5] when both sides agree again
  KEYS[7..] per-key state buckets    HASH  "<side><canonical key>" -> packed state (below)

  ARGV[1] number of events; ARGV[2] amounts per row (nA); ARGV[3] toast columns per row (nT);
  ARGV[4] fingerprint bytes per row; ARGV[5..4+nT] fingerprint index (0-based) of each toast column;
  then one record per event, stride 12 + 2*nA + 2*nT:
    side ('a'|'b'), bucket (index into KEYS from 7, 0-based), canonical key, op ('u' upsert | 'd' delete),
    version hi, version lo (u32 each), source ts ms, business day, row hash hi, row hash lo (u32),
    fingerprints (raw bytes), unavailable mask (bit j set: toast column j was not sent),
    nA x (amount hi, amount lo), nT x (toast hash hi, toast hash lo)

  Packed per-key state (big-endian, struct): present row:
    B flags=1, I4 I4 version, i4 day, I4 I4 row hash, nA x (d hi, I4 lo), nT x (I4 I4), fingerprints
  deleted row (kept so that a stale update cannot resurrect it): B flags=0, I4 I4 version

  Returns one code per event: 0 applied, 1 duplicate or older than the stored version (no-op),
  2 refused: a toast column was not sent and no earlier version of the row is known.
]]

local n, nA, nT, fpBytes = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local TWO32 = 4294967296
local toastFp = {}
for j = 1, nT do toastFp[j] = tonumber(ARGV[4 + j]) end
local base = 5 + nT
local stride = 12 + 2 * nA + 2 * nT

local presentFormat = '>BI4I4i4I4I4' .. string.rep('dI4', nA) .. string.rep('I4I4', nT)
local dayKey = { a = KEYS[1], b = KEYS[2] }
local other = { a = 'b', b = 'a' }

local function unpackState(s)
  if not s then return nil end
  local flags, vh, vl = struct.unpack('>BI4I4', s)
  if flags == 0 then return { present = false, vh = vh, vl = vl } end
  local v = { struct.unpack(presentFormat, s) }
  local st = { present = true, vh = v[2], vl = v[3], day = v[4], hh = v[5], hl = v[6], amounts = {}, toast = {} }
  local i = 7
  for a = 1, nA do st.amounts[a] = { v[i], v[i + 1] }; i = i + 2 end
  for t = 1, nT do st.toast[t] = { v[i], v[i + 1] }; i = i + 2 end
  st.fp = string.sub(s, struct.size(presentFormat) + 1)
  return st
end

local function packPresent(st)
  local parts = { st.vh, st.vl, st.day, st.hh, st.hl }
  for a = 1, nA do parts[#parts + 1] = st.amounts[a][1]; parts[#parts + 1] = st.amounts[a][2] end
  for t = 1, nT do parts[#parts + 1] = st.toast[t][1]; parts[#parts + 1] = st.toast[t][2] end
  return struct.pack(presentFormat, 1, unpack(parts)) .. st.fp
end

-- Adds sign * value to a field. Every operand is an integer below 2^53, so the product and its text
-- form are exact; zero is skipped because -1 * 0 is -0, whose text "-0" HINCRBY refuses.
local function add(key, field, sign, value)
  if value ~= 0 then redis.call('HINCRBY', key, field, sign * value) end
end

local function contribute(side, st, sign)
  local key, d = dayKey[side], st.day
  redis.call('HINCRBY', key, d .. ':n', sign)
  add(key, d .. ':h', sign, st.hh)
  add(key, d .. ':l', sign, st.hl)
  for a = 1, nA do
    add(key, d .. ':' .. a .. 'h', sign, st.amounts[a][1])
    add(key, d .. ':' .. a .. 'l', sign, st.amounts[a][2])
  end
  redis.call('SADD', KEYS[4], d)
end

local function newer(vh, vl, st)
  if not st then return true end
  if vh ~= st.vh then return vh > st.vh end
  return vl > st.vl
end

local function agree(x, y)
  local xp = x ~= nil and x.present
  local yp = y ~= nil and y.present
  if xp ~= yp then return false end
  if not xp then return true end
  return x.hh == y.hh and x.hl == y.hl
end

local results = {}
for e = 0, n - 1 do
  local p = base + e * stride
  local side, bucket, key, op = ARGV[p], KEYS[7 + tonumber(ARGV[p + 1])], ARGV[p + 2], ARGV[p + 3]
  local vh, vl, ts = tonumber(ARGV[p + 4]), tonumber(ARGV[p + 5]), tonumber(ARGV[p + 6])
  local field = side .. key
  local old = unpackState(redis.call('HGET', bucket, field))
  local code = 0
  local new
  if not newer(vh, vl, old) then
    code = 1
  elseif op == 'd' then
    new = { present = false, vh = vh, vl = vl }
  else
    new = { present = true, vh = vh, vl = vl, day = tonumber(ARGV[p + 7]), hh = tonumber(ARGV[p + 8]),
            hl = tonumber(ARGV[p + 9]), fp = ARGV[p + 10], amounts = {}, toast = {} }
    local mask = tonumber(ARGV[p + 11])
    local q = p + 12
    for a = 1, nA do new.amounts[a] = { tonumber(ARGV[q]), tonumber(ARGV[q + 1]) }; q = q + 2 end
    for t = 1, nT do new.toast[t] = { tonumber(ARGV[q]), tonumber(ARGV[q + 1]) }; q = q + 2 end
    if mask > 0 then
      if not (old and old.present) then
        code = 2
      else
        -- Unchanged TOAST columns were not sent: reuse their stored hash and fingerprint.
        local fp = new.fp
        for t = 1, nT do
          if math.floor(mask / 2 ^ (t - 1)) % 2 == 1 then
            new.toast[t] = old.toast[t]
            local lo = new.hl + old.toast[t][2]
            new.hl = lo % TWO32
            new.hh = (new.hh + old.toast[t][1] + math.floor(lo / TWO32)) % TWO32
            local at = toastFp[t] * 2
            fp = string.sub(fp, 1, at) .. string.sub(old.fp, at + 1, at + 2) .. string.sub(fp, at + 3)
          end
        end
        new.fp = fp
      end
    end
  end
  if code == 0 then
    if old and old.present then contribute(side, old, -1) end
    if new.present then
      contribute(side, new, 1)
      redis.call('HSET', bucket, field, packPresent(new))
    else
      redis.call('HSET', bucket, field, struct.pack('>BI4I4', 0, vh, vl))
    end
    local theirs = unpackState(redis.call('HGET', bucket, other[side] .. key))
    if agree(new, theirs) then
      redis.call('ZREM', KEYS[3], key)
      local record = redis.call('HGET', KEYS[5], key)
      if record then
        redis.call('HDEL', KEYS[5], key)
        redis.call('RPUSH', KEYS[6], record)
      end
    elseif redis.call('HEXISTS', KEYS[5], key) == 0 then
      redis.call('ZADD', KEYS[3], 'NX', ts, key)
    end
  end
  results[#results + 1] = code
end
return results
