//! Sans-IO event-stream codec.
