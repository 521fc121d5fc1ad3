//! Why a command was refused: a stable machine code and a human message in
//! the meeting's languages. A refusal never changes the state.

use serde::{Serialize, Serializer};

use crate::command::CommandKind;
use crate::i18n::{Lang, Texts};
use crate::ids::{BoothId, DelegationId, ItemId, RequestId, ScreenId};
use crate::roles::{Capability, RoleKind};
use crate::rules::RequestKind;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("the {role} role may not {command}")]
    NotPermitted {
        role: RoleKind,
        command: CommandKind,
    },
    #[error("a delegation may only act for itself, not for `{delegation}`")]
    NotYourDelegation { delegation: DelegationId },
    #[error("an interpreter may only act for their own booth, not for `{booth}`")]
    NotYourBooth { booth: BoothId },
    #[error("the {role} role may not {}", capability_en(*.capability))]
    CapabilityNotPermitted {
        role: RoleKind,
        capability: Capability,
    },
    #[error("the {role} role may not manage {}access codes", target_en(*.target))]
    AccessCodesNotPermitted {
        role: RoleKind,
        /// The role whose codes were asked for; none when the role manages
        /// no codes at all.
        target: Option<RoleKind>,
    },
    #[error("the {role} role has no access codes")]
    NoAccessCodes { role: RoleKind },
    #[error("this is the chair's last active access code: only the operator may revoke it")]
    LastChairCode,

    #[error("there is no delegation `{delegation}`")]
    UnknownDelegation { delegation: DelegationId },
    #[error("there is no agenda item `{item}`")]
    UnknownItem { item: ItemId },
    #[error("there is no request {request}")]
    UnknownRequest { request: RequestId },
    #[error("there is no booth `{booth}`")]
    UnknownBooth { booth: BoothId },
    #[error("there is no screen `{screen}`")]
    UnknownScreen { screen: ScreenId },
    #[error("no screen matches that target")]
    NoScreens,
    #[error("these rules have no request kind `{kind}`")]
    UnknownKind { kind: RequestKind },
    #[error("`{language}` is not a language of this meeting")]
    UnknownLanguage { language: Lang },

    #[error("no agenda item is open")]
    NoCurrentItem,
    #[error("agenda item `{item}` is not the current item")]
    ItemNotCurrent { item: ItemId },
    #[error("agenda item `{item}` is already the current item")]
    ItemAlreadyCurrent { item: ItemId },
    #[error("this is the last agenda item")]
    NoNextItem,
    #[error("this is the first agenda item")]
    NoPreviousItem,

    #[error("the list of speakers is closed: only points of order and rights of reply are taken")]
    ListClosed { item: ItemId },
    #[error("the list of speakers is already closed")]
    ListAlreadyClosed { item: ItemId },
    #[error("the list of speakers is already open")]
    ListAlreadyOpen { item: ItemId },
    #[error("this delegation already has request {request} open on this item")]
    AlreadyRequested { request: RequestId },
    #[error("this delegation has used its {max} rights of reply on this item")]
    ReplyLimitReached { max: usize },
    #[error("request {request} is not waiting on the list")]
    RequestNotWaiting { request: RequestId },
    #[error("request {request} is still open; only a withdrawn or removed request can be put back")]
    RequestStillOpen { request: RequestId },
    #[error("request {request} was already heard; ask for the floor again instead")]
    AlreadyHeard { request: RequestId },
    #[error("position {position} is outside the list (0 to {max})")]
    PositionOutOfRange { position: usize, max: usize },

    #[error("nobody has the floor")]
    NoSpeakerOnFloor,
    #[error("`{delegation}` has the floor: end the speech first")]
    FloorOccupied { delegation: DelegationId },
    #[error("a point of order is being heard: deal with it first")]
    PointOfOrderInProgress,
    #[error("nobody is waiting to speak")]
    QueueEmpty,
    #[error("the timer is not running")]
    TimerNotRunning,
    #[error("the timer is not paused")]
    TimerNotPaused,
    #[error("the speaker's time is not up yet")]
    TimeNotUp,
    #[error("an extension must be non-zero and at most one hour either way")]
    InvalidDuration,

    #[error("agenda item `{item}` has no schedule of presenters")]
    NoSchedule { item: ItemId },
    #[error("`{presenter}` is not on the schedule of this item")]
    UnknownPresenter { presenter: DelegationId },
    #[error("`{presenter}` has already presented or was skipped")]
    PresenterNotPending { presenter: DelegationId },
    #[error("every presenter of this item has presented or was skipped")]
    NoPresenterPending,

    #[error("booth `{booth}` has a single interpreter: nobody to hand over to")]
    NoPartner { booth: BoothId },
    #[error("a handover is already requested in booth `{booth}`")]
    HandoverAlreadyRequested { booth: BoothId },
    #[error("no handover was requested in booth `{booth}`")]
    NoHandoverRequested { booth: BoothId },
    #[error("no \"slower please\" signal is waiting")]
    NothingToAcknowledge,
    #[error("the message has no text")]
    EmptyMessage,
    #[error("a screen needs at least one language")]
    NoLanguages,
}

impl CommandError {
    /// The stable machine code, `snake_case`.
    pub fn code(&self) -> &'static str {
        use CommandError as E;
        match self {
            E::NotPermitted { .. } => "not_permitted",
            E::NotYourDelegation { .. } => "not_your_delegation",
            E::NotYourBooth { .. } => "not_your_booth",
            E::CapabilityNotPermitted { .. } => "capability_not_permitted",
            E::AccessCodesNotPermitted { .. } => "access_codes_not_permitted",
            E::NoAccessCodes { .. } => "no_access_codes",
            E::LastChairCode => "last_chair_code",
            E::UnknownDelegation { .. } => "unknown_delegation",
            E::UnknownItem { .. } => "unknown_item",
            E::UnknownRequest { .. } => "unknown_request",
            E::UnknownBooth { .. } => "unknown_booth",
            E::UnknownScreen { .. } => "unknown_screen",
            E::NoScreens => "no_screens",
            E::UnknownKind { .. } => "unknown_kind",
            E::UnknownLanguage { .. } => "unknown_language",
            E::NoCurrentItem => "no_current_item",
            E::ItemNotCurrent { .. } => "item_not_current",
            E::ItemAlreadyCurrent { .. } => "item_already_current",
            E::NoNextItem => "no_next_item",
            E::NoPreviousItem => "no_previous_item",
            E::ListClosed { .. } => "list_closed",
            E::ListAlreadyClosed { .. } => "list_already_closed",
            E::ListAlreadyOpen { .. } => "list_already_open",
            E::AlreadyRequested { .. } => "already_requested",
            E::ReplyLimitReached { .. } => "reply_limit_reached",
            E::RequestNotWaiting { .. } => "request_not_waiting",
            E::RequestStillOpen { .. } => "request_still_open",
            E::AlreadyHeard { .. } => "already_heard",
            E::PositionOutOfRange { .. } => "position_out_of_range",
            E::NoSpeakerOnFloor => "no_speaker_on_floor",
            E::FloorOccupied { .. } => "floor_occupied",
            E::PointOfOrderInProgress => "point_of_order_in_progress",
            E::QueueEmpty => "queue_empty",
            E::TimerNotRunning => "timer_not_running",
            E::TimerNotPaused => "timer_not_paused",
            E::TimeNotUp => "time_not_up",
            E::InvalidDuration => "invalid_duration",
            E::NoSchedule { .. } => "no_schedule",
            E::UnknownPresenter { .. } => "unknown_presenter",
            E::PresenterNotPending { .. } => "presenter_not_pending",
            E::NoPresenterPending => "no_presenter_pending",
            E::NoPartner { .. } => "no_partner",
            E::HandoverAlreadyRequested { .. } => "handover_already_requested",
            E::NoHandoverRequested { .. } => "no_handover_requested",
            E::NothingToAcknowledge => "nothing_to_acknowledge",
            E::EmptyMessage => "empty_message",
            E::NoLanguages => "no_languages",
        }
    }

    /// The message in Spanish; English is the `Display` text. Other
    /// languages fall back to English.
    fn spanish(&self) -> String {
        use CommandError as E;
        match self {
            E::NotPermitted { role, command } => {
                format!("el rol {role} no puede ejecutar {command}")
            }
            E::NotYourDelegation { delegation } => {
                format!("una delegación solo puede actuar en su propio nombre, no en el de `{delegation}`")
            }
            E::NotYourBooth { booth } => {
                format!("un intérprete solo puede actuar para su propia cabina, no para `{booth}`")
            }
            E::CapabilityNotPermitted { role, capability } => {
                format!("el rol {role} no puede {}", capability_es(*capability))
            }
            E::AccessCodesNotPermitted { role, target } => match target {
                Some(target) => {
                    format!("el rol {role} no puede gestionar los códigos de acceso de {target}")
                }
                None => format!("el rol {role} no puede gestionar códigos de acceso"),
            },
            E::NoAccessCodes { role } => format!("el rol {role} no tiene códigos de acceso"),
            E::LastChairCode => "es el último código de acceso activo de la presidencia: solo el operador puede revocarlo".to_owned(),
            E::UnknownDelegation { delegation } => format!("no existe la delegación `{delegation}`"),
            E::UnknownItem { item } => format!("no existe el tema del programa `{item}`"),
            E::UnknownRequest { request } => format!("no existe la solicitud {request}"),
            E::UnknownBooth { booth } => format!("no existe la cabina `{booth}`"),
            E::UnknownScreen { screen } => format!("no existe la pantalla `{screen}`"),
            E::NoScreens => "ninguna pantalla corresponde a ese destino".to_owned(),
            E::UnknownKind { kind } => format!("estas reglas no prevén solicitudes de tipo `{kind}`"),
            E::UnknownLanguage { language } => {
                format!("`{language}` no es un idioma de esta reunión")
            }
            E::NoCurrentItem => "no hay ningún tema del programa abierto".to_owned(),
            E::ItemNotCurrent { item } => format!("el tema `{item}` no es el tema en curso"),
            E::ItemAlreadyCurrent { item } => format!("el tema `{item}` ya es el tema en curso"),
            E::NoNextItem => "este es el último tema del programa".to_owned(),
            E::NoPreviousItem => "este es el primer tema del programa".to_owned(),
            E::ListClosed { .. } => "la lista de oradores está cerrada: solo se admiten cuestiones de orden y derechos de réplica".to_owned(),
            E::ListAlreadyClosed { .. } => "la lista de oradores ya está cerrada".to_owned(),
            E::ListAlreadyOpen { .. } => "la lista de oradores ya está abierta".to_owned(),
            E::AlreadyRequested { request } => {
                format!("esta delegación ya tiene abierta la solicitud {request} en este tema")
            }
            E::ReplyLimitReached { max } => {
                format!("esta delegación ya ha usado sus {max} derechos de réplica en este tema")
            }
            E::RequestNotWaiting { request } => {
                format!("la solicitud {request} no está en espera en la lista")
            }
            E::RequestStillOpen { request } => format!(
                "la solicitud {request} sigue abierta; solo se puede reincorporar una solicitud retirada o eliminada"
            ),
            E::AlreadyHeard { request } => {
                format!("la solicitud {request} ya fue atendida; pida la palabra de nuevo")
            }
            E::PositionOutOfRange { position, max } => {
                format!("la posición {position} está fuera de la lista (0 a {max})")
            }
            E::NoSpeakerOnFloor => "nadie tiene la palabra".to_owned(),
            E::FloorOccupied { delegation } => {
                format!("`{delegation}` tiene la palabra: termine primero la intervención")
            }
            E::PointOfOrderInProgress => {
                "se está tratando una cuestión de orden: resuélvala primero".to_owned()
            }
            E::QueueEmpty => "nadie espera para hablar".to_owned(),
            E::TimerNotRunning => "el cronómetro no está en marcha".to_owned(),
            E::TimerNotPaused => "el cronómetro no está en pausa".to_owned(),
            E::TimeNotUp => "el tiempo del orador aún no ha terminado".to_owned(),
            E::InvalidDuration => {
                "una prórroga debe ser distinta de cero y de una hora como máximo".to_owned()
            }
            E::NoSchedule { item } => format!("el tema `{item}` no tiene presentaciones programadas"),
            E::UnknownPresenter { presenter } => {
                format!("`{presenter}` no figura entre los presentadores de este tema")
            }
            E::PresenterNotPending { presenter } => {
                format!("`{presenter}` ya ha presentado o fue omitido")
            }
            E::NoPresenterPending => {
                "todos los presentadores de este tema ya han presentado o fueron omitidos".to_owned()
            }
            E::NoPartner { booth } => {
                format!("la cabina `{booth}` tiene un solo intérprete: no hay relevo posible")
            }
            E::HandoverAlreadyRequested { booth } => {
                format!("ya se pidió un relevo en la cabina `{booth}`")
            }
            E::NoHandoverRequested { booth } => {
                format!("no se pidió ningún relevo en la cabina `{booth}`")
            }
            E::NothingToAcknowledge => "no hay ninguna señal de «más despacio» pendiente".to_owned(),
            E::EmptyMessage => "el mensaje no tiene texto".to_owned(),
            E::NoLanguages => "una pantalla necesita al menos un idioma".to_owned(),
        }
    }

    /// The message in each of `languages` (Spanish and English are
    /// written; other languages get English).
    pub fn messages(&self, languages: &[Lang]) -> Texts {
        let mut texts = Texts::new();
        for lang in languages {
            let text = if lang.primary() == "es" {
                self.spanish()
            } else {
                self.to_string()
            };
            texts.0.insert(lang.clone(), text);
        }
        if texts.is_empty() {
            texts = texts.with("en", self.to_string());
        }
        texts
    }
}

fn capability_en(capability: Capability) -> &'static str {
    match capability {
        Capability::ExportMinutes => "export the minutes",
        Capability::SeePresence => "see which screens are connected",
    }
}

fn capability_es(capability: Capability) -> &'static str {
    match capability {
        Capability::ExportMinutes => "exportar el acta",
        Capability::SeePresence => "ver qué pantallas están conectadas",
    }
}

fn target_en(target: Option<RoleKind>) -> String {
    target.map(|t| format!("{t} ")).unwrap_or_default()
}

/// On the wire: `{ "code": "list_closed", "message": "…" }` in English;
/// servers use [`CommandError::messages`] for the meeting's languages.
impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CommandError", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}
