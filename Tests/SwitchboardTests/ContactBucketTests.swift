import PropertyBased
import RedisClient
import SwitchboardCore
import Testing

/// Contacts spread over a Redis Cluster in buckets (RedisKeys+ContactBuckets.swift): what a bucket's keys share, and
/// where the buckets fall.
@Suite("Contact buckets")
struct ContactBucketTests {
    let keys = RedisKeys(prefix: "sb")

    @Test("every key of a contact, and its bucket's sweeper zsets, are in the slot range of the bucket its id hashes to")
    func aContactsKeysShareItsBucketsSlot() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...255).array(of: 16...16)) { bytes in
            let contactId = bytes.map { String($0, radix: 16) }.joined(separator: "-")
            let bucket = RedisKeys.contactBucket(of: contactId)
            let width = RedisClusterSlot.count / RedisKeys.contactBucketCount
            #expect(bucket == Int(RedisClusterSlot.slot(of: contactId)) / width)
            let slot = RedisClusterSlot.slot(of: keys.contact(contactId))
            #expect((bucket * width..<(bucket + 1) * width).contains(Int(slot)))
            for key in [keys.transcript(contactId), keys.participant(contactId: contactId, "p"), keys.contactDeadlines(of: contactId),
                        keys.contactsStarting(of: contactId), keys.sentItem(contactId: contactId, participantId: "p", clientTokenHash: "h")] {
                #expect(RedisClusterSlot.slot(of: key) == slot, "\(key)")
            }
        }
    }

    @Test("each bucket's tag is c<bucket>-<n>, in its own 1/32 of the slot space, so three masters hold 11, 11 and 10")
    func bucketsFallEvenlyOnContiguousSlotRanges() {
        let slots = RedisKeys.contactBucketTags.map { Int(RedisClusterSlot.slot(of: $0)) }
        for (bucket, tag) in RedisKeys.contactBucketTags.enumerated() {
            #expect(tag.hasPrefix("c\(bucket)-"))
            #expect(slots[bucket] / (RedisClusterSlot.count / RedisKeys.contactBucketCount) == bucket, "\(tag)")
        }
        // redis-cli --cluster create with three masters: 0-5460, 5461-10922, 10923-16383.
        let perMaster = [0..<5461, 5461..<10923, 10923..<16384].map { range in slots.filter(range.contains).count }
        #expect(perMaster.sorted() == [10, 11, 11])
    }
}
