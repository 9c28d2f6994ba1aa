//! Throwaway local fleets of real OpenSSH `sshd` hosts on 127.0.0.1, for the demo and tests.
