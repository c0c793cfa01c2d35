//! Roles and what each may do. The matrix lives here, once; the server checks it on every
//! route and the README prints it.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Supervisor,
    Compliance,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Agent, Role::Supervisor, Role::Compliance, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Compliance => "compliance",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The permission matrix.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match p {
            ReadContacts | ReadInteractions | WriteInteractions | WriteParticipantData
            | WriteContacts | Identify | Scan => true,
            DeleteInteractions => matches!(self, Supervisor | Compliance | Admin),
            DeleteContacts | Export | Erase | Rectify | ReadAudit | PrivacyRequests => {
                matches!(self, Compliance | Admin)
            }
            ReadMetrics => matches!(self, Supervisor | Admin),
            ManageTenant => matches!(self, Admin),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a route can require.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ReadContacts,
    WriteContacts,
    DeleteContacts,
    Identify,
    ReadInteractions,
    WriteInteractions,
    WriteParticipantData,
    DeleteInteractions,
    Export,
    Erase,
    Rectify,
    PrivacyRequests,
    ReadAudit,
    ReadMetrics,
    Scan,
    ManageTenant,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::ReadContacts,
        Permission::WriteContacts,
        Permission::DeleteContacts,
        Permission::Identify,
        Permission::ReadInteractions,
        Permission::WriteInteractions,
        Permission::WriteParticipantData,
        Permission::DeleteInteractions,
        Permission::Export,
        Permission::Erase,
        Permission::Rectify,
        Permission::PrivacyRequests,
        Permission::ReadAudit,
        Permission::ReadMetrics,
        Permission::Scan,
        Permission::ManageTenant,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_cannot_delete_or_export() {
        assert!(!Role::Agent.allows(Permission::DeleteContacts));
        assert!(!Role::Agent.allows(Permission::Export));
        assert!(!Role::Supervisor.allows(Permission::Erase));
        assert!(Role::Compliance.allows(Permission::Erase));
        assert!(Role::Admin.allows(Permission::ManageTenant));
        assert!(!Role::Compliance.allows(Permission::ManageTenant));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

/// Who did something: a token (API) or an operator at the command line. Recorded in the
/// audit log; never carries personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Token id, or `cli:<user>` for the command line.
    pub id: String,
    pub role: Role,
}

impl Actor {
    pub fn cli() -> Actor {
        let user = std::env::var("USER").unwrap_or_else(|_| "operator".into());
        Actor {
            id: format!("cli:{user}"),
            role: Role::Admin,
        }
    }
}
