public enum EgressPolicyPlaceholder {}
