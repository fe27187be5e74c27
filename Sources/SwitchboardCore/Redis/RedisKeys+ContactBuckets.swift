import RedisClient

/// Contact data spreads over a Redis Cluster in buckets: each contact belongs to one of ``contactBucketCount`` buckets,
/// and a bucket's keys (its contacts' records, participants and transcripts, and its own `starting`/`deadlines`
/// sweeper zsets) share one hash tag. So a contact's start and end stay one atomic step with its sweeper entry, while
/// the contacts spread over the shards. Bucket `k`'s tag hashes to a slot in the `k`-th of ``contactBucketCount`` equal
/// ranges of the slot space, which `redis-cli --cluster create` hands out to masters as contiguous ranges: the buckets
/// fall evenly on the masters (11/11/10 on three).
extension RedisKeys {
    /// How many buckets contacts are spread over; every node's sweeper reads each bucket's zsets every tick.
    public static let contactBucketCount = 32

    /// The bucket of a contact: which of the ``contactBucketCount`` ranges of the slot space its id hashes to.
    public static func contactBucket(of contactId: String) -> Int {
        Int(RedisClusterSlot.slot(of: contactId)) * contactBucketCount / RedisClusterSlot.count
    }

    /// Bucket `k`'s hash tag: the first `c<k>-<n>` (n in base 36) whose slot lies in the bucket's range, so operators
    /// read the bucket from the key (`sb:{c7-a}:contact:<id>` is in bucket 7).
    public static let contactBucketTags: [String] = (0..<contactBucketCount).map { bucket in
        let range = bucket * RedisClusterSlot.count / contactBucketCount..<(bucket + 1) * RedisClusterSlot.count / contactBucketCount
        var n = 0
        while !range.contains(Int(RedisClusterSlot.slot(of: "c\(bucket)-\(String(n, radix: 36))"))) { n += 1 }
        return "c\(bucket)-\(String(n, radix: 36))"
    }
}
