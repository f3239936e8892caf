public enum OVNSchemaPlaceholder {}
