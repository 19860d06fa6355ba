-- All lock state changes happen here, atomically, in one round trip per call. Java calls it through
-- one codec, io.suite.locks.LockScript: one method per operation below, with the same argument names.
--
-- KEYS, in this order (LockScript.FIXED_KEYS): the keys whose names do not depend on what is locked.
--   1 leases  2 waitdl  3 spaces  4 fence  5 waitseq  6 version  7 nheld  8 ilog (the incidents stream)  9 xtx
--   10 waits  11 edges  12 mstate
-- Every other key is named after a space, a transaction or a request that the call often finds only
-- inside Redis (the spaces a transaction holds, the transactions of a queue's waiters), so the script
-- names it with skey()/key() below from the prefix. A space's keys carry the space as a Redis Cluster
-- hash tag ('held:{<space>}'): see "Redis Cluster" in the README for what sharding would still need.
--
-- ARGV, every call: 1 operation, 2 key prefix (P), 3 the calling replica's write window (W below),
-- 4 the maintenance state it follows ('<epoch>:R' read-only, '<epoch>:W' read-write, '' unknown),
-- 5 the caller's deadline (epoch ms: the replica has answered 503 by then). From 6 on, each
-- operation names its own arguments at its top (named(...)).
-- Items arrive normalised by Java (LockItem): space, mode ('S'|'X'), canonical fields JSON (c),
-- shape ('*' unless every condition is an equality: then the sorted field names).
-- The conflict rule below mirrors io.suite.locks.Conflicts; ConflictRuleTest and
-- LockApiTest#redisAgreesWithTheConflictTable run one table through both. The read-only rule
-- (refusal below) mirrors io.suite.writeguard.ReadOnlyRule.admitExclusiveLock, likewise.

local op, P, W, S, deadline = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local HEADER = 5 -- ARGV of every call; an operation's own arguments follow
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2]) -- about 1.8e15: exact in a double (< 2^53)

-- The operation's arguments by name: named('tx', 'digest') -> { tx = ARGV[6], digest = ARGV[7] }, and
-- rest = the position of the first argument after the named ones (the items of a lock request).
local function named(...)
  local a = {}
  for i, name in ipairs({ ... }) do a[name] = ARGV[HEADER + i] end
  a.rest = HEADER + select('#', ...) + 1
  return a
end

local function key(kind, name) return P .. kind .. ':' .. name end -- tx:<id>, txi:<id>, res:<req>, gone:<id>
local function skey(kind, space) return P .. kind .. ':{' .. space .. '}' end -- a space's keys, one hash tag
local K_LEASES, K_WAITDL, K_SPACES, K_FENCE, K_SEQ, K_VERSION, K_NHELD, K_INCIDENTS = unpack(KEYS, 1, 8)
local K_XTX = KEYS[9] -- transactions holding EXCLUSIVE items (the writes in flight of this write path)
local K_WAITS, K_EDGES = KEYS[10], KEYS[11] -- waiting requests, and whom each waits for (see below)
local K_MSTATE = KEYS[12] -- the newest maintenance state any replica has seen: '<epoch>:R|W'
local K_EVENTS = P .. 'events' -- a pub/sub channel, not a key

-- The store learns a flip from the first replica that sees it, so from then on no replica grants
-- a first EXCLUSIVE item, even one that has not heard of the flip yet (the rule below).
local ro_epoch -- the read-only epoch in force as far as the store knows, or nil
do
  local ke, km = string.match(redis.call('GET', K_MSTATE) or '', '^(%d+):(%a)$')
  local se, sm = string.match(S, '^(%d+):(%a)$')
  if se and (not ke or tonumber(se) > tonumber(ke)) then
    redis.call('SET', K_MSTATE, S)
    ke, km = se, sm
  end
  if km == 'R' then ro_epoch = ke end
end

-- ---------------------------------------------------------------- the conflict rule
local decoded = {}
local function fields(c)
  local f = decoded[c]
  if f == nil then f = cjson.decode(c); decoded[c] = f end
  return f
end

local function kind(v) -- 'set', 'range' or 'scalar'
  if type(v) ~= 'table' then return 'scalar' end
  if v['in'] ~= nil then return 'set' end
  return 'range'
end

local function rtype(r) if r['from'] ~= nil then return type(r['from']) end return type(r['to']) end

local function in_range(v, r)
  if type(v) ~= rtype(r) then return false end -- numbers and strings never meet
  if r['from'] ~= nil and v < r['from'] then return false end
  if r['to'] ~= nil and v > r['to'] then return false end
  return true
end

local function overlap(a, b)
  local ka, kb = kind(a), kind(b)
  if ka == 'range' and kb == 'range' then
    if rtype(a) ~= rtype(b) then return false end
    if a['from'] ~= nil and b['to'] ~= nil and a['from'] > b['to'] then return false end
    if b['from'] ~= nil and a['to'] ~= nil and b['from'] > a['to'] then return false end
    return true
  end
  if ka == 'range' then a, b, ka, kb = b, a, kb, ka end
  local av = (ka == 'set') and a['in'] or { a }
  if kb == 'range' then
    for _, v in ipairs(av) do if in_range(v, b) then return true end end
    return false
  end
  local bv = (kb == 'set') and b['in'] or { b }
  for _, x in ipairs(av) do
    for _, y in ipairs(bv) do if x == y then return true end end
  end
  return false
end

-- Same space, different transactions (checked by the callers), one EXCLUSIVE, and every field
-- named by both has a common value (a field one of them does not name means every value).
local function conflicts(ma, ca, mb, cb)
  if ma ~= 'X' and mb ~= 'X' then return false end
  if ca == '{}' or cb == '{}' then return true end
  local fa, fb = fields(ca), fields(cb)
  for name, cond in pairs(fa) do
    local other = fb[name]
    if other ~= nil and not overlap(cond, other) then return false end
  end
  return true
end

-- ---------------------------------------------------------------- the escalation cover
-- DESIGN "Escalation": the narrowest single item covering every item (canonical JSON) of a
-- transaction in a space. A field is kept when every item names it by an equality or a set, with at
-- most max_values distinct values over all the items: it becomes that value, or {"in": those values}.
-- Fields with a range, or missing from some item (every value), are dropped; none kept = '{}', the
-- whole space. max_values 0 = always the whole space (lock.escalation-cover=space). Its table of
-- cases is EscalationCases (run through the lock API by EscalationTest).
local function json_value(v) -- numbers exactly (cjson would round to 14 digits)
  if type(v) == 'number' then return string.format('%.17g', v) end
  return cjson.encode(v)
end

local function cover(list, max_values)
  local by = {}
  for _, c in ipairs(list) do
    for name, cond in pairs(fields(c)) do
      local f = by[name]
      if f == nil then f = { n = 0, seen = {}, values = {}, ok = true }; by[name] = f end
      f.n = f.n + 1
      local k = kind(cond)
      if k == 'range' then f.ok = false end
      if f.ok then
        for _, v in ipairs(k == 'set' and cond['in'] or { cond }) do
          local id = type(v) .. ':' .. json_value(v)
          if not f.seen[id] then f.seen[id] = true; f.values[#f.values + 1] = v end
        end
        if #f.values > max_values then f.ok = false end
      end
    end
  end
  local names = {}
  for name, f in pairs(by) do if f.ok and f.n == #list then names[#names + 1] = name end end
  table.sort(names)
  local parts = {}
  for i, name in ipairs(names) do
    local vs = by[name].values
    table.sort(vs, function(a, b)
      if type(a) ~= type(b) then return type(a) == 'number' end
      return a < b
    end)
    local v
    if #vs == 1 then v = json_value(vs[1]) else
      local enc = {}
      for j, x in ipairs(vs) do enc[j] = json_value(x) end
      v = '{"in":[' .. table.concat(enc, ',') .. ']}'
    end
    parts[i] = cjson.encode(name) .. ':' .. v
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

-- ---------------------------------------------------------------- held items
-- held:{space} field tx\nc -> mode|since|token|shape
-- txi:<tx>     field space\nc -> mode
-- byc:{space}  c -> number of holders, shapes:{space} shape -> number of items (fast path)
local held_cache = {}
local function held(space)
  local h = held_cache[space]
  if h == nil then
    h = {}
    local raw = redis.call('HGETALL', skey('held', space))
    for i = 1, #raw, 2 do
      local f, v = raw[i], raw[i + 1]
      local nl = string.find(f, '\n', 1, true)
      local m, since, token = string.match(v, '^(%a)|(%d+)|(%d+)|')
      h[#h + 1] = { tx = string.sub(f, 1, nl - 1), c = string.sub(f, nl + 1), m = m, since = since, token = token }
    end
    held_cache[space] = h
  end
  return h
end

-- Point items: every condition an equality (shape ~= '*'). Two point items of the same shape conflict
-- only on equal canonical JSON (ItemParser normalises values), so when every holder of a space has
-- the shape of the item, the holders that matter are those of its own canonical JSON: hc:{space}
-- lists them ("M<tx>,..."), and byc:{space} counts them. A list is only trusted when it has the
-- count (kept by every version of this script) and held:{space} has each entry with its mode;
-- otherwise (written beside an older version during a rolling update) it is rebuilt from held:{space}.
local shapes_cache = {}
local function space_shapes(space)
  local shapes = shapes_cache[space]
  if shapes == nil then
    shapes = { n = 0, of = {} }
    local raw = redis.call('HGETALL', skey('shapes', space))
    for i = 1, #raw, 2 do shapes.of[raw[i]] = true; shapes.n = shapes.n + 1 end
    shapes_cache[space] = shapes
  end
  return shapes
end

local function parse_holders(list) -- "M<tx>,..." -> { {m, tx}, ... }
  local out = {}
  if list then
    for e in string.gmatch(list, '[^,]+') do out[#out + 1] = { m = string.sub(e, 1, 1), tx = string.sub(e, 2) } end
  end
  return out
end

local function encode_holders(hs)
  local parts = {}
  for i, h in ipairs(hs) do parts[i] = h.m .. h.tx end
  return table.concat(parts, ',')
end

local function save_holders(space, c, hs)
  if #hs == 0 then redis.call('HDEL', skey('hc', space), c) else redis.call('HSET', skey('hc', space), c, encode_holders(hs)) end
end

-- The holders of point item it ({m, tx} list), or nil when the space has holders of other shapes
-- (then only the scan of all holders can tell). Kept for the rest of the call until the space's
-- holders change (forget): a release pass re-checks every waiter of a hot item against the same
-- holders, and each check would read and validate them again.
local point_cache = {} -- space -> c -> holders
local function point_holders(it)
  if it.sh == '*' then return nil end
  local shapes = space_shapes(it.s)
  if shapes.n == 0 then return {} end
  if shapes.n > 1 or not shapes.of[it.sh] then return nil end
  local known = point_cache[it.s]
  if known and known[it.c] then return known[it.c] end
  local count = tonumber(redis.call('HGET', skey('byc', it.s), it.c) or '0')
  local hs = {}
  if count > 0 then
    hs = parse_holders(redis.call('HGET', skey('hc', it.s), it.c))
    local exact = #hs == count
    for _, h in ipairs(hs) do
      if exact and string.sub(redis.call('HGET', skey('held', it.s), h.tx .. '\n' .. it.c) or '', 1, 1) ~= h.m then exact = false end
    end
    if not exact then
      hs = {}
      for _, h in ipairs(held(it.s)) do if h.c == it.c then hs[#hs + 1] = { m = h.m, tx = h.tx } end end
      save_holders(it.s, it.c, hs)
    end
  end
  if not known then known = {}; point_cache[it.s] = known end
  known[it.c] = hs
  return hs
end

local function forget(space) -- the holders of space changed: drop what this call read of them
  held_cache[space], shapes_cache[space], point_cache[space] = nil, nil, nil
end

local function split_nl(s)
  local nl = string.find(s, '\n', 1, true)
  return string.sub(s, 1, nl - 1), string.sub(s, nl + 1)
end

local function remove_item(tx, space, c)
  local hk = skey('held', space)
  local v = redis.call('HGET', hk, tx .. '\n' .. c)
  if not v then return nil end
  local since, shape = string.match(v, '^%a|(%d+)|%d+|(.*)$')
  redis.call('HDEL', hk, tx .. '\n' .. c)
  if redis.call('HINCRBY', skey('byc', space), c, -1) <= 0 then redis.call('HDEL', skey('byc', space), c) end
  local hs, kept = parse_holders(redis.call('HGET', skey('hc', space), c)), {}
  for _, h in ipairs(hs) do if h.tx ~= tx then kept[#kept + 1] = h end end
  save_holders(space, c, kept)
  if redis.call('HINCRBY', skey('shapes', space), shape, -1) <= 0 then redis.call('HDEL', skey('shapes', space), shape) end
  redis.call('HDEL', key('txi', tx), space .. '\n' .. c)
  redis.call('DECR', K_NHELD)
  forget(space)
  return since
end

local function add_item(tx, space, m, c, shape, token)
  local hk = skey('held', space)
  local prev = redis.call('HGET', hk, tx .. '\n' .. c)
  if prev then -- re-entrant: same item again; upgrade SHARED -> EXCLUSIVE in place
    if m == 'X' and string.sub(prev, 1, 1) == 'S' then
      redis.call('HSET', hk, tx .. '\n' .. c, 'X' .. string.sub(prev, 2))
      redis.call('HSET', key('txi', tx), space .. '\n' .. c, 'X')
      local hs = parse_holders(redis.call('HGET', skey('hc', space), c))
      for _, h in ipairs(hs) do if h.tx == tx then h.m = 'X' end end
      save_holders(space, c, hs)
      forget(space) -- a later request in this call must see the upgraded mode
    end
    return
  end
  local whole = redis.call('HGET', hk, tx .. '\n{}')
  if whole and (string.sub(whole, 1, 1) == 'X' or m == 'S') then return end -- covered by own whole-space lock
  redis.call('HSET', hk, tx .. '\n' .. c, m .. '|' .. now .. '|' .. token .. '|' .. shape)
  redis.call('HSET', key('txi', tx), space .. '\n' .. c, m)
  redis.call('HINCRBY', skey('byc', space), c, 1)
  local hs = parse_holders(redis.call('HGET', skey('hc', space), c))
  hs[#hs + 1] = { m = m, tx = tx }
  save_holders(space, c, hs)
  redis.call('HINCRBY', skey('shapes', space), shape, 1)
  redis.call('INCR', K_NHELD)
  redis.call('SADD', K_SPACES, space)
  forget(space)
end

local function tidy_space(space)
  if redis.call('EXISTS', skey('held', space)) == 0 and redis.call('EXISTS', skey('queue', space)) == 0 then
    redis.call('SREM', K_SPACES, space)
  end
end

-- ---------------------------------------------------------------- waiting requests
-- waits  hash req -> tx \30 seq \30 since \30 escalated spaces (\n) \30 items (space\tmode\tc\tshape lines)
-- edges  hash req -> the transactions it waits for (comma list): changes on every release, so it
--        is kept apart, and a release pass reads and writes the edges of a whole queue in one call each
local wait_cache = {}
local function parse_items(s)
  local items = {}
  for line in string.gmatch(s, '[^\n]+') do
    local sp, m, c, sh = string.match(line, '^(.-)\t(%a)\t(.-)\t(.*)$')
    items[#items + 1] = { s = sp, m = m, c = c, sh = sh }
  end
  return items
end
local function encode_items(items)
  local out = {}
  for i, it in ipairs(items) do out[i] = it.s .. '\t' .. it.m .. '\t' .. it.c .. '\t' .. it.sh end
  return table.concat(out, '\n')
end
local function decode_wait(req, packed, edges)
  local tx, seq, since, esc, items = string.match(packed, '^(.-)\30(.-)\30(.-)\30(.-)\30(.*)$')
  return { req = req, tx = tx, seq = tonumber(seq), since = since, esc = esc, items = parse_items(items), edges = edges or '' }
end
local function load_wait(req)
  local w = wait_cache[req]
  if w == nil then
    local packed = redis.call('HGET', K_WAITS, req)
    if not packed then return nil end
    w = decode_wait(req, packed, redis.call('HGET', K_EDGES, req))
    wait_cache[req] = w
  end
  return w
end
local function prefetch_waits(reqs) -- many waits in two calls
  local todo = {}
  for _, req in ipairs(reqs) do if wait_cache[req] == nil then todo[#todo + 1] = req end end
  for from = 1, #todo, 1000 do
    local part = { unpack(todo, from, math.min(#todo, from + 999)) }
    local packed = redis.call('HMGET', K_WAITS, unpack(part))
    local edges = redis.call('HMGET', K_EDGES, unpack(part))
    for i, req in ipairs(part) do
      if packed[i] then wait_cache[req] = decode_wait(req, packed[i], edges[i]) end
    end
  end
end

-- wb:<req> hash tx -> principal \t owner \t label: every transaction a waiting request has waited for,
-- for the blockedBy of its WAIT incident; kept a minute after the wait ends (drop_wait), for that report.
local names_cache = {}
local function remember_blockers(req, edges)
  for t in string.gmatch(edges, '[^,]+') do
    local ol = names_cache[t]
    if ol == nil then
      local r = redis.call('HMGET', key('tx', t), 'pr', 'owner', 'label')
      ol = (r[1] or '') .. '\t' .. (r[2] or '') .. '\t' .. (r[3] or '')
      names_cache[t] = ol
    end
    redis.call('HSETNX', key('wb', req), t, ol)
  end
end

local function save_edges(changes) -- flat {req, edges, ...}
  for from = 1, #changes, 2000 do
    redis.call('HSET', K_EDGES, unpack(changes, from, math.min(#changes, from + 1999)))
  end
  for i = 1, #changes, 2 do remember_blockers(changes[i], changes[i + 1]) end
end

-- Waiting point items: wq:{space}\n<c> zset req -> seq, the waiters of one canonical item; wshapes:{space}
-- hash shape -> waiting requests whose items in the space are all point items of that shape ('*': the
-- others). When one shape counts every request in the space's queue, the earlier waiters a point item
-- of that shape must let go first are those of its own canonical JSON: no scan of the whole queue.
-- (Waits of an older version of this script are not counted, so the counts disagree and the scan runs.)
local function wait_shapes(items) -- space -> the shape of a request's items there ('*' when mixed)
  local out = {}
  for _, it in ipairs(items) do
    local cur = out[it.s]
    if cur == nil then out[it.s] = it.sh elseif cur ~= it.sh then out[it.s] = '*' end
  end
  return out
end
local function wait_key(it) return skey('wq', it.s) .. '\n' .. it.c end

local wshapes_cache = {}
local function index_wait(req, seq, items, delta) -- delta 1: queued, -1: gone
  for _, it in ipairs(items) do
    if it.sh ~= '*' then
      if delta > 0 then redis.call('ZADD', wait_key(it), seq, req) else redis.call('ZREM', wait_key(it), req) end
    end
  end
  for space, sh in pairs(wait_shapes(items)) do
    if redis.call('HINCRBY', skey('wshapes', space), sh, delta) <= 0 then redis.call('HDEL', skey('wshapes', space), sh) end
    wshapes_cache[space] = nil
  end
end

-- The waiting requests of point item it that arrived before seq (all when seq is nil), or nil when
-- the space's queue holds other shapes: then only the scan of the queue can tell.
local function point_waiters(it, seq)
  if it.sh == '*' then return nil end
  local ws = wshapes_cache[it.s]
  if ws == nil then
    ws = { n = 0, of = {}, queued = redis.call('ZCARD', skey('queue', it.s)) }
    local raw = redis.call('HGETALL', skey('wshapes', it.s))
    for i = 1, #raw, 2 do ws.of[raw[i]] = tonumber(raw[i + 1]); ws.n = ws.n + 1 end
    if ws.queued == 0 and ws.n > 0 then redis.call('DEL', skey('wshapes', it.s)) end -- left by an older version
    wshapes_cache[it.s] = ws
  end
  if ws.queued == 0 then return {} end
  if ws.n ~= 1 or ws.of[it.sh] ~= ws.queued then return nil end
  if seq then return redis.call('ZRANGEBYSCORE', wait_key(it), '-inf', '(' .. seq) end
  return redis.call('ZRANGE', wait_key(it), 0, -1)
end

local function waits_on(w, tx) -- does waiting request w currently wait for transaction tx?
  return string.find(',' .. w.edges .. ',', ',' .. tx .. ',', 1, true) ~= nil
end

-- Who keeps request (tx, items, seq) from being granted? Holders first; only when no holder
-- blocks, earlier conflicting waiters (fairness) - except those that themselves wait for tx,
-- which could not go first anyway (queueing behind them would only manufacture a deadlock).
-- Returns a list of {tx, space, m, c} blockers (empty = grantable).
local function blockers(tx, items, seq)
  local out = {}
  for _, it in ipairs(items) do
    local hs = point_holders(it)
    if hs then
      for _, h in ipairs(hs) do
        if h.tx ~= tx and (it.m == 'X' or h.m == 'X') then out[#out + 1] = { tx = h.tx, s = it.s, m = h.m, c = it.c } end
      end
    else
      for _, h in ipairs(held(it.s)) do
        if h.tx ~= tx and conflicts(it.m, it.c, h.m, h.c) then
          out[#out + 1] = { tx = h.tx, s = it.s, m = h.m, c = h.c }
        end
      end
    end
  end
  if #out > 0 then return out end
  for _, it in ipairs(items) do
    local point = point_waiters(it, seq)
    local q = point
    if q == nil then
      local qk = skey('queue', it.s)
      q = seq and redis.call('ZRANGEBYSCORE', qk, '-inf', '(' .. seq) or redis.call('ZRANGE', qk, 0, -1)
    end
    prefetch_waits(q)
    for _, req in ipairs(q) do
      local w = load_wait(req)
      if w and w.tx ~= tx and not waits_on(w, tx) then
        for _, other in ipairs(w.items) do
          if other.s == it.s and (point and other.c == it.c and (it.m == 'X' or other.m == 'X')
              or not point and conflicts(it.m, it.c, other.m, other.c)) then
            out[#out + 1] = { tx = w.tx, s = it.s, m = other.m, c = other.c }
            break
          end
        end
      end
    end
  end
  return out
end

local function edge_list(bl)
  local seen, out = {}, {}
  for _, b in ipairs(bl) do
    if not seen[b.tx] then seen[b.tx] = true; out[#out + 1] = b.tx end
  end
  return out
end

local function drop_wait(req)
  local w = load_wait(req)
  if not w then return {} end
  local spaces = {}
  for _, it in ipairs(w.items) do
    redis.call('ZREM', skey('queue', it.s), req)
    spaces[it.s] = true
  end
  index_wait(req, w.seq, w.items, -1)
  redis.call('HDEL', K_WAITS, req)
  redis.call('HDEL', K_EDGES, req)
  redis.call('ZREM', K_WAITDL, req)
  if redis.call('HGET', key('tx', w.tx), 'w') == req then redis.call('HDEL', key('tx', w.tx), 'w') end
  wait_cache[req] = nil
  redis.call('PEXPIRE', key('wb', req), 60000)
  redis.call('INCR', K_VERSION)
  return spaces
end

-- The read-only rule of the lock call: io.suite.writeguard.ReadOnlyRule.admitExclusiveLock states it
-- (and its table of cases runs through both); this is where it is enforced, because it must be
-- decided atomically with the grant, on Redis' state at that moment (does the transaction hold an
-- EXCLUSIVE item, has any replica told Redis of a flip, Redis' clock), and by whichever call grants:
-- a lock request, or a waiter granted in the release pass of an end, a renew, an expiry, a drain...
-- Inputs from the calling replica (ReadOnlyRefusal.writeWindow/maintenanceState): W, its guard's
-- writableUntil in epoch ms ('' while it refuses writes: read-only, state unknown or stale), compared
-- with Redis' own clock, so a replica frozen or cut off past its READ_WRITE lease cannot grant late;
-- S, the state it follows, of which Redis keeps the newest any replica has sent (ro_epoch).
-- Returns nil when allowed, else the refusal: { 'readonly', epoch known to the store or '' } or { 'stale' }.
local function refusal(tx, items)
  local exclusive = false
  for _, it in ipairs(items) do if it.m == 'X' then exclusive = true; break end end
  if not exclusive then return nil end
  local stale = W ~= '' and now > tonumber(W)
  if W ~= '' and not stale and not ro_epoch then return nil end -- writes allowed
  if redis.call('ZSCORE', K_XTX, tx) then return nil end
  if stale then return { 'stale' } end
  return { 'readonly', ro_epoch or '' }
end

-- Grants items to tx; esc: lines 'space\tcover' of escalated spaces, where its other items go first.
local function grant(tx, items, esc)
  -- The token rule: max(previous + 1, Redis' clock in µs). So tokens never repeat, even when the
  -- counter is lost or older than tokens already handed out (Redis wiped, or a failover to a replica
  -- that lagged): the clock is past every earlier token as long as fewer than a million were granted
  -- a second on average. Kept as a decimal string: Lua would print a number this big as 1.79e+15.
  local token = string.format('%.0f', math.max(tonumber(redis.call('GET', K_FENCE) or '0') + 1, now_us))
  redis.call('SET', K_FENCE, token)
  for _, it in ipairs(items) do
    if it.m == 'X' then
      redis.call('ZADD', K_XTX, 'NX', 0, tx)
      break
    end
  end
  if esc ~= '' then
    for line in string.gmatch(esc, '[^\n]+') do
      local space, cov = string.match(line, '^(.-)\t(.*)$')
      local raw = redis.call('HGETALL', key('txi', tx))
      for i = 1, #raw, 2 do
        local s, c = split_nl(raw[i])
        if s == space and c ~= cov then remove_item(tx, s, c) end
      end
    end
  end
  for _, it in ipairs(items) do add_item(tx, it.s, it.m, it.c, it.sh, token) end
  redis.call('INCR', K_VERSION)
  return token
end

-- After locks were freed or a waiter left: grant every waiting request (in arrival order) that
-- no longer has a blocker, refresh the wait-for edges of the others, and tell the replicas.
-- freed: the transaction whose locks and wait just went (end_tx), or nil. Then only the requests
-- whose edges name it can move: a request blocked by others stays blocked by them (a waiter granted
-- in this pass still blocks as a holder, under the same transaction), so the others are not
-- re-checked, unless a grant escalated to a whole space (new conflicts) or a request has no edges.
-- A hot space's queue then costs its own waiters, not the whole queue, on every release.
local function release_pass(spaces, freed)
  local reqs, seen = {}, {}
  for space, _ in pairs(spaces) do
    local q = redis.call('ZRANGE', skey('queue', space), 0, -1, 'WITHSCORES')
    for i = 1, #q, 2 do
      if not seen[q[i]] then seen[q[i]] = true; reqs[#reqs + 1] = { q[i], tonumber(q[i + 1]) } end
    end
  end
  table.sort(reqs, function(a, b) return a[2] < b[2] end)
  local ids = {}
  for i, r in ipairs(reqs) do ids[i] = r[1] end
  local every = freed == nil
  local moves = {}
  if every then
    prefetch_waits(ids)
  else
    local needle = ',' .. freed .. ','
    local todo = {}
    for from = 1, #ids, 1000 do
      local part = { unpack(ids, from, math.min(#ids, from + 999)) }
      local edges = redis.call('HMGET', K_EDGES, unpack(part))
      for i, req in ipairs(part) do
        local e = edges[i]
        if not e or e == '' or string.find(',' .. e .. ',', needle, 1, true) then
          moves[req] = true; todo[#todo + 1] = req
        end
      end
    end
    prefetch_waits(todo)
  end
  local granted, changed = {}, {}
  for _, r in ipairs(reqs) do
    local w = (every or moves[r[1]]) and load_wait(r[1])
    if w then
      local bl = blockers(w.tx, w.items, w.seq)
      -- refused by the read-only rule: not granted here; its replica's next re-check answers 503
      if #bl == 0 and not refusal(w.tx, w.items) then
        local token = grant(w.tx, w.items, w.esc)
        local esc = string.gsub(w.esc, '\n', '\31')
        redis.call('SET', key('res', w.req), token .. '|' .. esc, 'PX', 60000)
        drop_wait(w.req)
        granted[#granted + 1] = w.req .. '\t' .. token .. '\t' .. esc
        if w.esc ~= '' then every = true end
      else
        local edges = table.concat(edge_list(bl), ',')
        if edges ~= w.edges then
          changed[#changed + 1] = w.req; changed[#changed + 1] = edges
          w.edges = edges
        end
      end
    end
  end
  save_edges(changed)
  if #granted > 0 then redis.call('PUBLISH', K_EVENTS, 'g\n' .. table.concat(granted, '\n')) end
  for space, _ in pairs(spaces) do tidy_space(space) end
end

-- Ends a transaction: frees its locks, drops its waiting request, wakes whoever can go now.
-- Returns flat {space, since, ...} of what it held (for the hold-time metric).
local function end_tx(tx)
  local raw = redis.call('HGETALL', key('txi', tx))
  local touched, first = {}, {}
  for i = 1, #raw, 2 do
    local s, c = split_nl(raw[i])
    local since = remove_item(tx, s, c)
    touched[s] = true
    if since and (first[s] == nil or tonumber(since) < first[s]) then first[s] = tonumber(since) end
  end
  redis.call('DEL', key('txi', tx))
  local w = redis.call('HGET', key('tx', tx), 'w')
  if w then for s, _ in pairs(drop_wait(w)) do touched[s] = true end end
  redis.call('DEL', key('tx', tx))
  redis.call('ZREM', K_LEASES, tx)
  redis.call('ZREM', K_XTX, tx)
  redis.call('INCR', K_VERSION)
  release_pass(touched, tx)
  local out = {}
  for s, since in pairs(first) do out[#out + 1] = s; out[#out + 1] = tostring(since) end
  return out
end

-- Depth-first search of the wait-for graph (tx -> its waiting request -> edges) for a path from
-- one of first back to start. Returns the cycle {start, ...} or nil.
local function find_cycle(start, first)
  local visited, path = {}, { start }
  local budget = 10000
  local function dfs(t)
    if t == start then return true end
    if visited[t] or budget <= 0 then return false end
    visited[t] = true
    budget = budget - 1
    path[#path + 1] = t
    local req = redis.call('HGET', key('tx', t), 'w')
    if req then
      local w = load_wait(req)
      if w and w.edges ~= '' then
        for n in string.gmatch(w.edges, '[^,]+') do if dfs(n) then return true end end
      end
    end
    path[#path] = nil
    return false
  end
  for _, b in ipairs(first) do if dfs(b) then return path end end
  return nil
end

-- Who a transaction is, as answers name it: principal, owner, label (appended to out).
local function who(out, tr)
  out[#out + 1] = tr.principal or ''; out[#out + 1] = tr.owner or ''; out[#out + 1] = tr.label or ''
  return out
end

local function blocker_details(tr, bl)
  local out, seen = who({ 'blocked' }, tr), {}
  for _, b in ipairs(bl) do
    local id = b.tx .. '\n' .. b.s .. '\n' .. b.c
    if not seen[id] and #out < 4 + 7 * 50 then
      seen[id] = true
      local pol = redis.call('HMGET', key('tx', b.tx), 'pr', 'owner', 'label')
      out[#out + 1] = b.tx; out[#out + 1] = pol[1] or ''; out[#out + 1] = pol[2] or ''; out[#out + 1] = pol[3] or ''
      out[#out + 1] = b.s; out[#out + 1] = b.m; out[#out + 1] = b.c
    end
  end
  return out
end

-- Loads a transaction, checking the caller's digest: the SHA-256 of its X-Lock-Token and of the principal
-- calling (LockStore.digest), so this one comparison is the rule "only the principal that began it, with
-- its token, may act on it". Lua strings are interned, so the comparison of the two digests is a pointer
-- comparison: its time says nothing about the token.
local function load_tx(tx, digest)
  local r = redis.call('HMGET', key('tx', tx), 'th', 'exp', 'lease', 'w', 'pl', 'owner', 'label', 'auto', 'pr')
  if not r[1] then return nil, 'notx' end
  if r[1] ~= digest then return nil, 'forbidden' end
  if tonumber(r[2]) <= now then
    end_tx(tx)
    return nil, 'expired'
  end
  return { exp = tonumber(r[2]), lease = tonumber(r[3]), w = r[4], pl = tonumber(r[5]), owner = r[6], label = r[7],
    auto = r[8], principal = r[9] }
end

-- A transaction begun with items whose caller waits has the short waiter lease (pl) until its
-- answer goes out: renewed by the re-checks of the replica holding the caller, so if that replica
-- dies, nobody is left holding what the caller never learnt it got.
local function renew(tx, t)
  t.exp = now + (t.pl or t.lease)
  redis.call('HSET', key('tx', tx), 'exp', t.exp)
  redis.call('ZADD', K_LEASES, t.exp, tx)
  return t.exp
end

local function pending(tx, t, waiter_lease) -- its caller waits: the waiter lease from now on
  t.pl = waiter_lease
  redis.call('HSET', key('tx', tx), 'pl', waiter_lease)
  return renew(tx, t)
end

local function delivered(tx, t) -- its answer goes out now: the lease the caller asked for
  if t.pl then
    t.pl = nil
    redis.call('HDEL', key('tx', tx), 'pl')
  end
  return renew(tx, t)
end

-- The request is refused by the read-only rule: it leaves (with its transaction, if begun with it).
local function refuse(tx, tr, req)
  if tr.auto then end_tx(tx) else release_pass(drop_wait(req)) end
end

local function deadlock(tr, cycle)
  local out = who({ 'deadlock' }, tr)
  for _, id in ipairs(cycle) do out[#out + 1] = id end
  return out
end

-- The arguments of a lock request (op 'lock', and 'begin' with items after its own), from ARGV[from]:
--   req        the request's id (a re-check names the waiting request again)
--   wait       '1': may wait (timeoutMs > 0), '0': answer 'blocked' at once
--   final      '1': the last re-check, at the timeout: grant now or answer 'blocked'
--   wait_ms    the timeout (ms)
--   threshold  lock.escalation-threshold
--   max_values lock.escalation-max-values (0: escalation covers the whole space)
--   waiter_lease  lock.waiter-lease (ms)
--   then 4 per item: space, mode, canonical fields, shape; a re-check of a waiting request names none.
local function lock_args(tx, digest, from)
  local L = { tx = tx, digest = digest, req = ARGV[from], wait = ARGV[from + 1], final = ARGV[from + 2],
    wait_ms = ARGV[from + 3], threshold = ARGV[from + 4], max_values = ARGV[from + 5], waiter_lease = ARGV[from + 6],
    items = {} }
  for i = from + 7, #ARGV, 4 do
    L.items[#L.items + 1] = { s = ARGV[i], m = ARGV[i + 1], c = ARGV[i + 2], sh = ARGV[i + 3] }
  end
  return L
end

local function lock_op(L)
  local tx, req = L.tx, L.req
  local may_wait, final, waiter_lease = L.wait == '1', L.final == '1', tonumber(L.waiter_lease)
  local tr, err = load_tx(tx, L.digest)
  if not tr then return { err } end
  renew(tx, tr)
  local res = redis.call('GET', key('res', req))
  if res then -- granted by a release pass while it waited; this replica answers now
    redis.call('DEL', key('res', req))
    local token, esc = string.match(res, '^(%d+)|(.*)$')
    local out = who({ 'granted', token, esc }, tr)
    out[#out + 1] = tostring(delivered(tx, tr))
    return out
  end

  local w = load_wait(req)
  if w then -- a re-check (or the last one, at the timeout) of a waiting request
    local why = refusal(tx, w.items)
    if why then
      refuse(tx, tr, req)
      return why
    end
    redis.call('ZADD', K_WAITDL, now + waiter_lease, req) -- its replica still holds the caller
    local bl = blockers(tx, w.items, w.seq)
    if #bl == 0 then
      local token = grant(tx, w.items, w.esc)
      drop_wait(req)
      local out = who({ 'granted', tostring(token), (string.gsub(w.esc, '\n', '\31')) }, tr)
      out[#out + 1] = tostring(delivered(tx, tr))
      return out
    end
    if final then
      local details = blocker_details(tr, bl)
      if tr.auto then end_tx(tx) else release_pass(drop_wait(req)) end
      return details
    end
    local edges = edge_list(bl)
    local joined = table.concat(edges, ',')
    if joined ~= w.edges then
      redis.call('HSET', K_EDGES, req, joined)
      remember_blockers(req, joined)
      w.edges = joined
    end
    -- Edges also change when a release pass re-evaluates this request: search on every re-check.
    local cycle = find_cycle(tx, edges)
    if cycle then
      end_tx(tx)
      return deadlock(tr, cycle)
    end
    return { 'waiting' }
  end
  -- A re-check of a request that is gone (dropped as its replica's when re-checks stalled): lost.
  if final or #L.items == 0 then return { 'lost' } end

  if tr.w and redis.call('HEXISTS', K_WAITS, tr.w) == 1 then return { 'busy' } end
  local items = L.items
  local why = refusal(tx, items)
  if why then return why end

  -- Escalation: more than threshold items of this transaction in one space -> their cover (above).
  local threshold, max_values = tonumber(L.threshold), tonumber(L.max_values)
  local per_space, strongest, order, have, of_space = {}, {}, {}, {}, {}
  local mine = redis.call('HGETALL', key('txi', tx))
  for i = 1, #mine, 2 do have[mine[i]] = true end
  for _, it in ipairs(items) do
    if per_space[it.s] == nil then per_space[it.s] = 0; strongest[it.s] = 'S'; order[#order + 1] = it.s; of_space[it.s] = {} end
    if not have[it.s .. '\n' .. it.c] then
      have[it.s .. '\n' .. it.c] = true
      per_space[it.s] = per_space[it.s] + 1
      of_space[it.s][#of_space[it.s] + 1] = it.c
    end
    if it.m == 'X' then strongest[it.s] = 'X' end
  end
  for i = 1, #mine, 2 do
    local s, c = split_nl(mine[i])
    if per_space[s] ~= nil then
      per_space[s] = per_space[s] + 1
      of_space[s][#of_space[s] + 1] = c
      if mine[i + 1] == 'X' then strongest[s] = 'X' end
    end
  end
  local esc = {}
  for _, s in ipairs(order) do
    if per_space[s] > threshold then esc[#esc + 1] = { s = s, c = cover(of_space[s], max_values) } end
  end
  local esc_lines = {}
  if #esc > 0 then
    local escalated, kept = {}, {}
    for _, e in ipairs(esc) do escalated[e.s] = true end
    for _, it in ipairs(items) do if not escalated[it.s] then kept[#kept + 1] = it end end
    for i, e in ipairs(esc) do
      kept[#kept + 1] = { s = e.s, m = strongest[e.s], c = e.c, sh = '*' } -- '*': scanned, never the point fast path
      esc_lines[i] = e.s .. '\t' .. e.c
    end
    items = kept
  end
  esc_lines = table.concat(esc_lines, '\n')
  local esc_csv = (string.gsub(esc_lines, '\n', '\31'))

  local bl = blockers(tx, items, nil)
  if #bl == 0 then
    local token = grant(tx, items, esc_lines)
    return who({ 'granted', tostring(token), esc_csv }, tr)
  end
  if not may_wait then return blocker_details(tr, bl) end

  local seq = redis.call('INCR', K_SEQ)
  local edges = edge_list(bl)
  local joined = table.concat(edges, ',')
  redis.call('HSET', K_WAITS, req, tx .. '\30' .. seq .. '\30' .. now .. '\30' .. esc_lines .. '\30' .. encode_items(items))
  redis.call('HSET', K_EDGES, req, joined)
  remember_blockers(req, joined)
  redis.call('ZADD', K_WAITDL, now + waiter_lease, req) -- renewed by its replica's re-checks
  redis.call('HSET', key('tx', tx), 'w', req)
  for _, it in ipairs(items) do
    redis.call('ZADD', skey('queue', it.s), seq, req)
    redis.call('SADD', K_SPACES, it.s)
  end
  index_wait(req, seq, items, 1)
  redis.call('INCR', K_VERSION)
  local cycle = find_cycle(tx, edges)
  if cycle then
    end_tx(tx)
    return deadlock(tr, cycle)
  end
  return who({ 'waiting', esc_csv }, tr)
end

-- ---------------------------------------------------------------- operations
-- The caller gave up (answered 503) by its deadline: a begin or lock request arriving later (Redis
-- was paused, the replica's connection stalled) does nothing, so it cannot leave a transaction or a
-- grant that nobody knows of.
if (op == 'begin' or op == 'lock') and now > deadline then return { 'late' } end

-- A waiting request that leaves without a grant: a transaction begun with its items goes with it.
local function leave(req)
  local w = load_wait(req)
  if w then
    if redis.call('HGET', key('tx', w.tx), 'auto') then end_tx(w.tx) else release_pass(drop_wait(req)) end
  end
end

if op == 'begin' then
  -- tx, digest (SHA-256 of its token and its principal), principal (who began it, from the caller's access
  -- token: shown, never compared), owner, label, lease_ms; with items, a lock request follows (lock_args)
  local a = named('tx', 'digest', 'principal', 'owner', 'label', 'lease_ms')
  local tx, lease = a.tx, tonumber(a.lease_ms)
  -- its replica gave up on it and withdrew the id first ('withdraw'): it must not begin now
  if redis.call('EXISTS', key('gone', tx)) == 1 then return { 'late' } end
  local exp = now + lease
  redis.call('HSET', key('tx', tx), 'th', a.digest, 'pr', a.principal, 'owner', a.owner, 'label', a.label, 'lease', lease,
    'exp', exp, 'created', now)
  redis.call('ZADD', K_LEASES, exp, tx)
  if #ARGV < a.rest then return { 'ok', tostring(exp) } end
  -- Begun with items: all or nothing, so a refusal ends the transaction, and so does a later
  -- timeout or an abandoned wait ('auto').
  redis.call('HSET', key('tx', tx), 'auto', '1')
  local L = lock_args(tx, a.digest, a.rest)
  local res = lock_op(L)
  if res[1] == 'waiting' then
    -- nobody knows this transaction but the replica holding the caller: the waiter lease until it answers
    local tr = load_tx(tx, a.digest)
    exp = pending(tx, tr, tonumber(L.waiter_lease))
  elseif res[1] ~= 'granted' and res[1] ~= 'deadlock' then
    end_tx(tx)
  end
  return { 'begun', tostring(exp), res }

elseif op == 'renew' then
  -- tx, digest
  local a = named('tx', 'digest')
  local tr, err = load_tx(a.tx, a.digest)
  if not tr then return { err } end
  return { 'ok', tostring(renew(a.tx, tr)) }

elseif op == 'end' then
  -- tx, digest
  local a = named('tx', 'digest')
  local tr, err = load_tx(a.tx, a.digest)
  if not tr then return { err } end
  local out = end_tx(a.tx)
  table.insert(out, 1, 'ok')
  return out

elseif op == 'withdraw' then
  -- tx, digest: a begin whose answer never reached its replica (Redis stalled after running it, a
  -- connection lost): the caller was answered 503, so nobody knows the transaction. Ends it if it
  -- began; if not, keeps it from beginning later, until this call's deadline: a begin reaching
  -- Redis after its own (earlier) deadline does nothing anyway. An id that never began leaves only
  -- that short-lived mark: no grant, no incident.
  local a = named('tx', 'digest')
  local tr, err = load_tx(a.tx, a.digest)
  if tr then
    local out = end_tx(a.tx)
    table.insert(out, 1, 'ok')
    return out
  end
  if err == 'notx' and deadline > now then
    redis.call('SET', key('gone', a.tx), '1', 'PX', deadline - now)
  end
  return { err == 'expired' and 'ok' or err }

elseif op == 'lock' then
  -- tx, digest, then a lock request (lock_args)
  local a = named('tx', 'digest')
  return lock_op(lock_args(a.tx, a.digest, a.rest))

elseif op == 'delivered' then
  -- tx, digest, req: the replica answers the caller of a request granted in a release pass now
  local a = named('tx', 'digest', 'req')
  local tr, err = load_tx(a.tx, a.digest)
  if not tr then return { err } end
  redis.call('PEXPIRE', key('res', a.req), 10000) -- a re-check still running may read it
  return { 'ok', tostring(delivered(a.tx, tr)) }

elseif op == 'abandon' then
  -- req: the client went away while waiting
  local a = named('req')
  leave(a.req)
  return { 'ok' }

elseif op == 'get' then
  -- tx, digest
  local a = named('tx', 'digest')
  local tx = a.tx
  local tr, err = load_tx(tx, a.digest)
  if not tr then return { err } end
  renew(tx, tr)
  local out = { 'ok', tr.principal or '', tr.owner or '', tr.label or '', tostring(tr.lease), tostring(tr.exp) }
  local raw = redis.call('HGETALL', key('txi', tx))
  out[#out + 1] = tostring(#raw / 2)
  for i = 1, #raw, 2 do
    local s, c = split_nl(raw[i])
    local v = redis.call('HGET', skey('held', s), tx .. '\n' .. c) or 'S|0|0|'
    local m, since, token = string.match(v, '^(%a)|(%d+)|(%d+)|')
    out[#out + 1] = s; out[#out + 1] = m; out[#out + 1] = c; out[#out + 1] = since; out[#out + 1] = token
  end
  local w = tr.w and load_wait(tr.w)
  if w then
    out[#out + 1] = w.since; out[#out + 1] = w.edges; out[#out + 1] = tostring(#w.items)
    for _, it in ipairs(w.items) do out[#out + 1] = it.s; out[#out + 1] = it.m; out[#out + 1] = it.c end
  end
  return out

elseif op == 'snapshot' then
  -- space ('' = all), max_entries
  local a = named('space', 'max_entries')
  local spaces = a.space ~= '' and { a.space } or redis.call('SMEMBERS', K_SPACES)
  table.sort(spaces)
  local max = tonumber(a.max_entries)
  local locks, waits, txs = {}, {}, {}
  local n = 0
  for _, s in ipairs(spaces) do
    for _, h in ipairs(held(s)) do
      if n < max then
        n = n + 1
        locks[#locks + 1] = h.tx; locks[#locks + 1] = s; locks[#locks + 1] = h.m
        locks[#locks + 1] = h.c; locks[#locks + 1] = h.since; locks[#locks + 1] = h.token
        txs[h.tx] = true
      end
    end
    local q = redis.call('ZRANGE', skey('queue', s), 0, -1)
    prefetch_waits(q)
    for _, req in ipairs(q) do
      local w = load_wait(req)
      if w and n < max then
        for _, it in ipairs(w.items) do
          if it.s == s then
            n = n + 1
            waits[#waits + 1] = w.tx; waits[#waits + 1] = s; waits[#waits + 1] = it.m
            waits[#waits + 1] = it.c; waits[#waits + 1] = w.since; waits[#waits + 1] = w.edges
            txs[w.tx] = true
          end
        end
      end
    end
  end
  local info = {}
  for tx, _ in pairs(txs) do
    local ol = redis.call('HMGET', key('tx', tx), 'pr', 'owner', 'label')
    info[#info + 1] = tx; info[#info + 1] = ol[1] or ''; info[#info + 1] = ol[2] or ''; info[#info + 1] = ol[3] or ''
  end
  return { tostring(now), locks, waits, info }

elseif op == 'reap' then
  -- no arguments
  -- Ends transactions whose lease ran out and drops waits whose replica vanished. Idempotent.
  local out = {}
  for _, tx in ipairs(redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', now, 'LIMIT', 0, 200)) do
    local pol = redis.call('HMGET', key('tx', tx), 'pr', 'owner', 'label')
    local holds = end_tx(tx)
    out[#out + 1] = { tx, pol[1] or '', pol[2] or '', pol[3] or '', holds }
  end
  for _, req in ipairs(redis.call('ZRANGEBYSCORE', K_WAITDL, '-inf', now, 'LIMIT', 0, 200)) do
    leave(req) -- its replica stopped re-checking it (the waiter lease ran out)
  end
  return out

elseif op == 'stats' then
  -- no arguments
  -- held items, waits, version, and the writes in flight: transactions holding EXCLUSIVE items
  -- (under the read-only rule, exactly those that may still write)
  return { tonumber(redis.call('GET', K_NHELD) or '0'), redis.call('ZCARD', K_WAITDL), redis.call('GET', K_VERSION) or '0',
    redis.call('ZCARD', K_XTX) }

elseif op == 'drain' then
  -- no arguments
  -- the drain deadline of a read-only epoch passed: end the writes in flight
  local out = {}
  for _, tx in ipairs(redis.call('ZRANGE', K_XTX, 0, 199)) do
    end_tx(tx)
    out[#out + 1] = tx
  end
  return out

elseif op == 'incident' then
  -- kind, space, body (JSON: the incident's fields but at and, for a wait's, blockedBy), req (a wait's
  -- request: its blockedBy is everyone it waited for, wb:<req>; '' otherwise), retention_ms.
  -- Appended to the incidents stream (its id: the time), which drops what is older than the retention,
  -- and published to every replica. IncidentLog reads both.
  local a = named('kind', 'space', 'body', 'req', 'retention_ms')
  local entry = { 'k', a.kind, 's', a.space, 'b', a.body }
  local blocked
  if a.req ~= '' then
    local raw = redis.call('HGETALL', key('wb', a.req))
    local parts = {}
    for i = 1, #raw, 2 do
      local p, o, l = string.match(raw[i + 1], '^(.-)\t(.-)\t(.*)$')
      if not p then -- written before principals were kept (owner \t label)
        p = ''; o, l = string.match(raw[i + 1], '^(.-)\t(.*)$')
      end
      parts[#parts + 1] = cjson.encode({ transaction = raw[i], principal = p, owner = o, label = l })
    end
    blocked = '[' .. table.concat(parts, ',') .. ']'
    entry[#entry + 1] = 'w'; entry[#entry + 1] = blocked
    redis.call('DEL', key('wb', a.req))
  end
  local id = redis.call('XADD', K_INCIDENTS, 'MINID', string.format('%.0f', now - tonumber(a.retention_ms)), '*', unpack(entry))
  redis.call('PUBLISH', K_EVENTS, 'i\n' .. cjson.encode({ id = id, k = a.kind, s = a.space, b = a.body, w = blocked }))
  return { 'ok', id }
end
return redis.error_reply('unknown operation ' .. tostring(op))
