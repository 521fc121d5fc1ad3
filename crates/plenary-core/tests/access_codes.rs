//! Who manages whose access codes, and what else a role may do besides
//! commands: every manager × every role kind against the code-management
//! table, the chair's last code, the operator, the capabilities table, and
//! the short form of roles used by codes and the command line.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use plenary_core::Role;
use plenary_core::ids::{BoothId, DelegationId, ScreenId};
use plenary_core::roles::{
    CAPABILITIES, CODE_MANAGEMENT, CODE_ROLES, Capability, CodeManager, RoleKind, may,
    may_issue_code, may_list_codes, may_revoke_code,
};
use support::reference_definition;

use RoleKind as R;

/// What the table must say, written out once more by hand: whose codes
/// each role manages.
fn expected(manager: CodeManager, target: RoleKind) -> bool {
    let codes = [
        R::Chair,
        R::Secretariat,
        R::Technician,
        R::Delegation,
        R::Interpreter,
        R::Screen,
    ];
    match manager {
        CodeManager::Operator => codes.contains(&target),
        CodeManager::Role(R::Chair) => codes.contains(&target),
        CodeManager::Role(R::Secretariat) => codes[1..].contains(&target),
        CodeManager::Role(R::Technician) => codes[3..].contains(&target),
        CodeManager::Role(_) => false,
    }
}

fn every_manager() -> Vec<CodeManager> {
    let mut out = vec![CodeManager::Operator];
    out.extend(RoleKind::ALL.into_iter().map(CodeManager::Role));
    out
}

#[test]
fn every_manager_issues_exactly_the_codes_of_the_table() {
    for manager in every_manager() {
        for target in RoleKind::ALL {
            // Given a manager and a role kind, when it issues a code:
            let result = may_issue_code(manager, target);
            // then the table decides.
            assert_eq!(
                result.is_ok(),
                expected(manager, target),
                "{manager} issuing a {target} code: {result:?}"
            );
            if let Err(e) = result {
                let code = if CODE_ROLES.contains(&target) {
                    "access_codes_not_permitted"
                } else {
                    "no_access_codes"
                };
                assert_eq!(e.code(), code, "{manager} → {target}");
            }
        }
    }
}

#[test]
fn only_the_chair_and_the_operator_mint_a_chair_code() {
    let minters: Vec<CodeManager> = every_manager()
        .into_iter()
        .filter(|m| may_issue_code(*m, R::Chair).is_ok())
        .collect();
    assert_eq!(
        minters,
        [CodeManager::Operator, CodeManager::Role(R::Chair)]
    );
    let e = may_issue_code(CodeManager::Role(R::Technician), R::Chair).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the technician role may not manage chair access codes"
    );
    let es = e.messages(&[plenary_core::i18n::Lang::parse("es").unwrap()]);
    assert!(
        es.0.values().any(|m| m.contains("no puede gestionar")),
        "{es:?}"
    );
}

#[test]
fn every_manager_revokes_exactly_the_codes_of_the_table_while_the_chair_keeps_one() {
    for manager in every_manager() {
        for target in RoleKind::ALL {
            // Given two active chair codes, when a code of `target` is revoked:
            let result = may_revoke_code(manager, target, 2);
            // then the table decides, as for issuing.
            assert_eq!(
                result.is_ok(),
                expected(manager, target),
                "{manager} revoking a {target} code: {result:?}"
            );
        }
    }
}

#[test]
fn nobody_but_the_operator_revokes_the_chairs_last_code() {
    for manager in every_manager() {
        // Given one active chair code, when the manager revokes it:
        let result = may_revoke_code(manager, R::Chair, 1);
        // then only the operator may; the chair is told why, the others
        // that the chair's codes are not theirs to manage.
        match manager {
            CodeManager::Operator => assert_eq!(result, Ok(())),
            CodeManager::Role(R::Chair) => {
                let e = result.unwrap_err();
                assert_eq!(e.code(), "last_chair_code");
                assert!(e.to_string().contains("only the operator"));
            }
            other @ CodeManager::Role(_) => assert_eq!(
                result.unwrap_err().code(),
                "access_codes_not_permitted",
                "{other}"
            ),
        }
    }
    // With a second chair code, the chair may revoke one of them.
    assert_eq!(
        may_revoke_code(CodeManager::Role(R::Chair), R::Chair, 2),
        Ok(())
    );
    // The rule is about the chair's codes only.
    assert_eq!(
        may_revoke_code(CodeManager::Role(R::Secretariat), R::Secretariat, 1),
        Ok(())
    );
}

#[test]
fn the_operator_manages_every_code_there_is_and_no_public_one() {
    for target in CODE_ROLES {
        assert_eq!(may_issue_code(CodeManager::Operator, *target), Ok(()));
        assert_eq!(may_revoke_code(CodeManager::Operator, *target, 1), Ok(()));
    }
    for target in [R::Public, R::System] {
        assert_eq!(
            may_issue_code(CodeManager::Operator, target)
                .unwrap_err()
                .code(),
            "no_access_codes"
        );
    }
    assert_eq!(may_list_codes(CodeManager::Operator), Ok(()));
}

#[test]
fn only_code_managers_list_codes() {
    for manager in every_manager() {
        let lists = may_list_codes(manager).is_ok();
        assert_eq!(
            lists,
            CODE_ROLES.iter().any(|t| expected(manager, *t)),
            "{manager}"
        );
        if !lists {
            let e = may_list_codes(manager).unwrap_err();
            assert_eq!(e.code(), "access_codes_not_permitted");
            assert!(
                e.to_string().ends_with("may not manage access codes"),
                "{e}"
            );
        }
    }
    // A role missing from the table manages nothing.
    assert!(
        CODE_MANAGEMENT
            .iter()
            .all(|(m, _)| matches!(m, R::Chair | R::Secretariat | R::Technician))
    );
}

#[test]
fn the_hall_staff_export_the_minutes_and_see_the_screens() {
    let roles = [
        Role::Chair,
        Role::Secretariat,
        Role::Delegation {
            delegation: DelegationId::new("hn"),
        },
        Role::Technician,
        Role::Interpreter {
            booth: BoothId::new("booth-es"),
        },
        Role::Screen {
            screen: ScreenId::new("hall-left"),
        },
        Role::Public,
        Role::System,
    ];
    for capability in Capability::ALL {
        assert!(
            CAPABILITIES.iter().any(|(c, _)| *c == capability),
            "{capability} missing from the table"
        );
        for role in &roles {
            let result = may(role, capability);
            let staff = matches!(role, Role::Chair | Role::Secretariat | Role::Technician);
            assert_eq!(result.is_ok(), staff, "{role} {capability}: {result:?}");
            if let Err(e) = result {
                assert_eq!(e.code(), "capability_not_permitted");
            }
        }
    }
    let e = may(
        &Role::Delegation {
            delegation: DelegationId::new("hn"),
        },
        Capability::ExportMinutes,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the delegation role may not export the minutes"
    );
}

#[test]
fn roles_have_a_short_form_that_parses_back() {
    for key in [
        "chair",
        "secretariat",
        "technician",
        "delegation:hn",
        "interpreter:booth-es",
        "screen:hall-left",
    ] {
        let role: Role = key.parse().unwrap();
        assert_eq!(role.to_string(), key);
    }
    for wrong in [
        "president",
        "delegation:",
        "delegation",
        "embassy:hn",
        "public",
        "system",
        "",
    ] {
        assert!(wrong.parse::<Role>().is_err(), "{wrong} parsed");
    }
    assert_eq!(Role::Public.to_string(), "public");
    assert!(
        "president"
            .parse::<Role>()
            .unwrap_err()
            .to_string()
            .contains("delegation:<id>")
    );
}

#[test]
fn a_meeting_knows_the_delegations_booths_and_screens_it_has() {
    let d = reference_definition();
    for key in [
        "chair",
        "technician",
        "delegation:hn",
        "interpreter:booth-es",
        "screen:hall-left",
    ] {
        assert!(d.knows(&key.parse().unwrap()), "{key}");
    }
    for (key, code) in [
        ("delegation:atlantis", "unknown_delegation"),
        ("interpreter:booth-xx", "unknown_booth"),
        ("screen:nowhere", "unknown_screen"),
    ] {
        let role: Role = key.parse().unwrap();
        assert!(!d.knows(&role), "{key}");
        assert_eq!(d.must_know(&role).unwrap_err().code(), code);
    }
}
