"""learnkit: the Supabase-native backend of a gamified learning platform."""

__version__ = "0.1.0"
