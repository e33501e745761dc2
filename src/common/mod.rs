//! aws-c-common subset.
