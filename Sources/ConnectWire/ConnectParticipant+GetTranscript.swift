extension ConnectParticipant {
    /// `GetTranscriptRequest`.
    public struct GetTranscriptRequest: ConnectionTokenRequest, Hashable {
        /// The output shape.
        public typealias Response = GetTranscriptResponse
        /// `POST /participant/transcript`
        public static var operation: ConnectOperation { .getTranscript }

        /// `ContactId`: defaults to the connection's contact.
        public var contactId: String?
        /// `MaxResults` (0-100; AWS's default page is 15).
        public var maxResults: Int?
        /// `NextToken`: from the previous page.
        public var nextToken: String?
        /// `ScanDirection`: `FORWARD` or `BACKWARD` (default).
        public var scanDirection: String?
        /// `SortOrder`: `ASCENDING` or `DESCENDING` (default).
        public var sortOrder: String?
        /// `StartPosition`.
        public var startPosition: StartPosition?
        /// `ConnectionToken` (required), bound to header `X-Amz-Bearer`.
        public var connectionToken: String = ""

        /// Creates a request.
        public init(
            contactId: String? = nil, maxResults: Int? = nil, nextToken: String? = nil, scanDirection: String? = nil,
            sortOrder: String? = nil, startPosition: StartPosition? = nil, connectionToken: String
        ) {
            self.contactId = contactId
            self.maxResults = maxResults
            self.nextToken = nextToken
            self.scanDirection = scanDirection
            self.sortOrder = sortOrder
            self.startPosition = startPosition
            self.connectionToken = connectionToken
        }

        enum CodingKeys: String, CodingKey {
            case contactId = "ContactId"
            case maxResults = "MaxResults"
            case nextToken = "NextToken"
            case scanDirection = "ScanDirection"
            case sortOrder = "SortOrder"
            case startPosition = "StartPosition"
        }
    }

    /// `StartPosition`: where a transcript page starts; set one member.
    public struct StartPosition: Codable, Sendable, Hashable {
        /// `Id`: an item id.
        public var id: String?
        /// `AbsoluteTime`: ISO 8601.
        public var absoluteTime: String?
        /// `MostRecent`: that many items before the newest (0-100).
        public var mostRecent: Int?

        /// Creates a position.
        public init(id: String? = nil, absoluteTime: String? = nil, mostRecent: Int? = nil) {
            self.id = id
            self.absoluteTime = absoluteTime
            self.mostRecent = mostRecent
        }

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case absoluteTime = "AbsoluteTime"
            case mostRecent = "MostRecent"
        }
    }

    /// `GetTranscriptResponse`.
    public struct GetTranscriptResponse: Codable, Sendable, Hashable {
        /// `InitialContactId`.
        public var initialContactId: String?
        /// `Transcript`: the page of items.
        public var transcript: [Item]?
        /// `NextToken`: absent on the last page.
        public var nextToken: String?

        /// Creates a response.
        public init(initialContactId: String? = nil, transcript: [Item]? = nil, nextToken: String? = nil) {
            self.initialContactId = initialContactId
            self.transcript = transcript
            self.nextToken = nextToken
        }

        enum CodingKeys: String, CodingKey {
            case initialContactId = "InitialContactId"
            case transcript = "Transcript"
            case nextToken = "NextToken"
        }
    }
}
