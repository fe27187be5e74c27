extension Connect {
    /// `ConnectionData` of `StartWebRTCContact` (the Chime SDK meeting to join).
    public struct ConnectionData: Codable, Sendable, Hashable {
        /// `Attendee`.
        public var attendee: Attendee?
        /// `Meeting`.
        public var meeting: Meeting?
        /// Creates the data.
        public init(attendee: Attendee? = nil, meeting: Meeting? = nil) {
            self.attendee = attendee
            self.meeting = meeting
        }
        enum CodingKeys: String, CodingKey {
            case attendee = "Attendee"
            case meeting = "Meeting"
        }
    }

    /// `Attendee` (both services).
    public struct Attendee: Codable, Sendable, Hashable {
        /// `AttendeeId`.
        public var attendeeId: String?
        /// `JoinToken` (sensitive).
        public var joinToken: String?
        /// Creates an attendee.
        public init(attendeeId: String? = nil, joinToken: String? = nil) {
            self.attendeeId = attendeeId
            self.joinToken = joinToken
        }
        enum CodingKeys: String, CodingKey {
            case attendeeId = "AttendeeId"
            case joinToken = "JoinToken"
        }
    }

    /// `Meeting`; also serves as the participant service's `WebRTCMeeting`, which is the same without `MediaRegion`.
    public struct Meeting: Codable, Sendable, Hashable {
        /// `MediaRegion`.
        public var mediaRegion: String?
        /// `MediaPlacement`: the URLs of the media services; `SignalingUrl` points at Switchboard in local mode.
        public var mediaPlacement: MediaPlacement?
        /// `MeetingFeatures`.
        public var meetingFeatures: MeetingFeaturesConfiguration?
        /// `MeetingId`.
        public var meetingId: String?
        /// Creates a meeting.
        public init(
            mediaRegion: String? = nil, mediaPlacement: MediaPlacement? = nil, meetingFeatures: MeetingFeaturesConfiguration? = nil,
            meetingId: String? = nil
        ) {
            self.mediaRegion = mediaRegion
            self.mediaPlacement = mediaPlacement
            self.meetingFeatures = meetingFeatures
            self.meetingId = meetingId
        }
        enum CodingKeys: String, CodingKey {
            case mediaRegion = "MediaRegion"
            case mediaPlacement = "MediaPlacement"
            case meetingFeatures = "MeetingFeatures"
            case meetingId = "MeetingId"
        }
    }

    /// `MediaPlacement`; also the participant service's `WebRTCMediaPlacement` (which lacks `TurnControlUrl`).
    public struct MediaPlacement: Codable, Sendable, Hashable {
        /// `AudioHostUrl`.
        public var audioHostUrl: String?
        /// `AudioFallbackUrl`.
        public var audioFallbackUrl: String?
        /// `SignalingUrl`.
        public var signalingUrl: String?
        /// `TurnControlUrl` (Amazon Connect only).
        public var turnControlUrl: String?
        /// `EventIngestionUrl`.
        public var eventIngestionUrl: String?
        /// Creates a placement.
        public init(
            audioHostUrl: String? = nil, audioFallbackUrl: String? = nil, signalingUrl: String? = nil, turnControlUrl: String? = nil,
            eventIngestionUrl: String? = nil
        ) {
            self.audioHostUrl = audioHostUrl
            self.audioFallbackUrl = audioFallbackUrl
            self.signalingUrl = signalingUrl
            self.turnControlUrl = turnControlUrl
            self.eventIngestionUrl = eventIngestionUrl
        }
        enum CodingKeys: String, CodingKey {
            case audioHostUrl = "AudioHostUrl"
            case audioFallbackUrl = "AudioFallbackUrl"
            case signalingUrl = "SignalingUrl"
            case turnControlUrl = "TurnControlUrl"
            case eventIngestionUrl = "EventIngestionUrl"
        }
    }

    /// `MeetingFeaturesConfiguration`.
    public struct MeetingFeaturesConfiguration: Codable, Sendable, Hashable {
        /// `Audio`.
        public var audio: AudioFeatures?
        /// Creates the configuration.
        public init(audio: AudioFeatures? = nil) { self.audio = audio }
        enum CodingKeys: String, CodingKey { case audio = "Audio" }
    }

    /// `AudioFeatures`.
    public struct AudioFeatures: Codable, Sendable, Hashable {
        /// `EchoReduction`: `AVAILABLE` or `UNAVAILABLE`.
        public var echoReduction: String?
        /// Creates the features.
        public init(echoReduction: String? = nil) { self.echoReduction = echoReduction }
        enum CodingKeys: String, CodingKey { case echoReduction = "EchoReduction" }
    }
}
