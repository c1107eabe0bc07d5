import LockstepRedis

/// The cluster's Lua scripts. Each runs atomically in Redis, which is what makes placement,
/// reconciliation and dead-node handling safe with any number of nodes at once. They name keys
/// they build from the prefix (a single Redis, not Redis Cluster: docs/CLUSTER.md).
enum ClusterScripts {
    /// Placement. KEYS: nodes set, the room's hash. ARGV: room id, now (Unix ms), key prefix,
    /// then node ids to skip. Returns `{"exists"}`, `{"full"}` or `{"placed", node, url, play}`:
    /// the live (key present), ready (not draining) node with the most spare capacity
    /// (capacity − rooms; ties to the smallest id), whose `rooms` it increments, so two
    /// concurrent placements never take the same last slot.
    static let place = RedisScript(
        """
        if redis.call('EXISTS', KEYS[2]) == 1 then return {'exists'} end
        local skip = {}
        for i = 4, #ARGV do skip[ARGV[i]] = true end
        local ids = redis.call('SMEMBERS', KEYS[1])
        table.sort(ids)
        local best, bestSpare = nil, 0
        for _, id in ipairs(ids) do
          if not skip[id] then
            local v = redis.call('HMGET', ARGV[3] .. 'node:' .. id, 'state', 'capacity', 'rooms')
            if v[1] == 'ready' then
              local spare = tonumber(v[2]) - tonumber(v[3])
              if spare > bestSpare then best, bestSpare = id, spare end
            end
          end
        end
        if not best then return {'full'} end
        local nodeKey = ARGV[3] .. 'node:' .. best
        redis.call('HINCRBY', nodeKey, 'rooms', 1)
        local urls = redis.call('HMGET', nodeKey, 'url', 'play')
        redis.call('HSET', KEYS[2], 'node', best, 'url', urls[1], 'play', urls[2], 'state', 'placed', 'createdAt', ARGV[2])
        redis.call('SADD', ARGV[3] .. 'node:' .. best .. ':rooms', ARGV[1])
        return {'placed', best, urls[1], urls[2]}
        """)

    /// Gives back a placement whose creation failed. KEYS: the room's hash, the node's hash, the
    /// node's room set. ARGV: room id.
    static let release = RedisScript(
        """
        if redis.call('HGET', KEYS[1], 'state') ~= 'placed' then return 0 end
        redis.call('DEL', KEYS[1])
        if redis.call('SREM', KEYS[3], ARGV[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
          redis.call('HINCRBY', KEYS[2], 'rooms', -1)
        end
        return 1
        """)

    /// Heartbeat and registration. KEYS: nodes set, the node's hash, its room set. ARGV: 1 id,
    /// 2 TTL ms, 3 state (`ready`, `draining`), 4 open connections, 5 now (Unix ms), 6 admin URL,
    /// 7 play URL, 8 capacity, 9 retention s, 10 prefix, 11… the ids of the rooms running here.
    ///
    /// When the node's key is absent (first start, expiry, a Redis restart) it registers: `rooms`
    /// is what runs here, and each running room is claimed again in the directory. Every time,
    /// rooms of the set that no longer run here (created, then ended) are marked `ended` and
    /// their capacity is given back, except a room placed less than 30 s ago: it may be still
    /// being created (`placed`), or created after the node listed its rooms for this heartbeat
    /// and marked `created` before the heartbeat reached Redis. (A room that ends gives its
    /// capacity back at once through `roomState`; this is the fallback for an end Redis missed.)
    /// Returns `{registered (0/1), freed}`.
    static let heartbeat = RedisScript(
        """
        local prefix = ARGV[10]
        local live = {}
        for i = 11, #ARGV do live[ARGV[i]] = true end
        local fresh = redis.call('EXISTS', KEYS[2]) == 0
        if fresh then
          redis.call('HSET', KEYS[2], 'id', ARGV[1], 'url', ARGV[6], 'play', ARGV[7], 'capacity', ARGV[8], 'started', ARGV[5], 'rooms', #ARGV - 10)
          for i = 11, #ARGV do
            local key = prefix .. 'room:' .. ARGV[i]
            redis.call('SADD', KEYS[3], ARGV[i])
            redis.call('HSET', key, 'node', ARGV[1], 'url', ARGV[6], 'play', ARGV[7], 'state', 'running')
            redis.call('PERSIST', key)
          end
        end
        local freed = 0
        for _, room in ipairs(redis.call('SMEMBERS', KEYS[3])) do
          if not live[room] then
            local key = prefix .. 'room:' .. room
            local v = redis.call('HMGET', key, 'state', 'createdAt')
            local placedAt = tonumber(v[2] or '')
            local young = placedAt ~= nil and placedAt + 30000 >= tonumber(ARGV[5])
            if not young then
              redis.call('SREM', KEYS[3], room)
              if v[1] then
                redis.call('HSET', key, 'state', 'ended')
                redis.call('EXPIRE', key, ARGV[9])
              end
              if not fresh then freed = freed + 1 end
            end
          end
        end
        if freed > 0 then redis.call('HINCRBY', KEYS[2], 'rooms', -freed) end
        redis.call('HSET', KEYS[2], 'state', ARGV[3], 'connections', ARGV[4], 'heartbeat', ARGV[5], 'live', #ARGV - 10)
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        redis.call('SADD', KEYS[1], ARGV[1])
        if fresh then return {1, freed} end
        return {0, freed}
        """)

    /// Dead nodes. KEYS: nodes set. ARGV: prefix, retention s, now (Unix ms). A member of the set
    /// whose key expired is removed from it (the `SREM` inside the script makes whoever runs it
    /// first the only one), and its rooms that had not ended are marked `lost`. Returns
    /// `{node, rooms marked lost, …}`.
    static let reap = RedisScript(
        """
        local found = {}
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if redis.call('EXISTS', ARGV[1] .. 'node:' .. id) == 0 then
            redis.call('SREM', KEYS[1], id)
            local setKey = ARGV[1] .. 'node:' .. id .. ':rooms'
            local count = 0
            for _, room in ipairs(redis.call('SMEMBERS', setKey)) do
              local key = ARGV[1] .. 'room:' .. room
              local state = redis.call('HGET', key, 'state')
              if state and state ~= 'ended' and state ~= 'lost' then
                redis.call('HSET', key, 'state', 'lost', 'lostAt', ARGV[3])
                redis.call('EXPIRE', key, ARGV[2])
                count = count + 1
              end
            end
            redis.call('DEL', setKey)
            table.insert(found, id)
            table.insert(found, count)
          end
        end
        return found
        """)

    /// Clean exit. KEYS: nodes set, the node's hash, its room set. ARGV: prefix, retention s.
    /// Rooms still listed are marked `ended` (a drained node has none).
    static let deregister = RedisScript(
        """
        for _, room in ipairs(redis.call('SMEMBERS', KEYS[3])) do
          local key = ARGV[1] .. 'room:' .. room
          if redis.call('EXISTS', key) == 1 then
            redis.call('HSET', key, 'state', 'ended')
            redis.call('EXPIRE', key, ARGV[2])
          end
        end
        redis.call('DEL', KEYS[2], KEYS[3])
        redis.call('SREM', KEYS[1], ARGV[3])
        return 1
        """)

    /// The cluster's nodes. KEYS: nodes set. ARGV: prefix. Returns `{id, {field, value, …}, …}`
    /// for each registered node whose key is present, sorted by id.
    static let list = RedisScript(
        """
        local ids = redis.call('SMEMBERS', KEYS[1])
        table.sort(ids)
        local out = {}
        for _, id in ipairs(ids) do
          local fields = redis.call('HGETALL', ARGV[1] .. 'node:' .. id)
          if #fields > 0 then
            table.insert(out, id)
            table.insert(out, fields)
          end
        end
        return out
        """)
}

extension ClusterScripts {
    /// A room of this node changed. KEYS: the room's hash, the node's hash, the node's room set.
    /// ARGV: room id, state (`created`, `running`, `ended`), end reason, retention s. An ended
    /// room gives its capacity back at once (once: only if it was still in the node's set).
    static let roomState = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'state', ARGV[2])
        if ARGV[2] == 'ended' then
          redis.call('HSET', KEYS[1], 'endReason', ARGV[3])
          redis.call('EXPIRE', KEYS[1], ARGV[4])
          if redis.call('SREM', KEYS[3], ARGV[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
            redis.call('HINCRBY', KEYS[2], 'rooms', -1)
          end
        end
        return 1
        """)
}
