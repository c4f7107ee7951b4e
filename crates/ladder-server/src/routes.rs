//! The route table: every route the server answers, in one list. The
//! router is built from it, and the authorization matrix test reads it, so
//! a route cannot exist without an entry in the matrix.

use crate::{
    AppState, accounts, api, calendar, feedback, framework, growth, hiring, http, inbox,
    internships, notify, one_on_ones, pay, people, scim,
};
use axum::routing::{MethodRouter, delete, get, patch, post, put};

/// Who may use a route, as documented (the matrix test checks the truth).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// The person, their manager chain, the people team.
    PrivateToPerson,
    /// The person and their direct manager: ratings (each on their own
    /// side), checkpoints.
    PersonOrManager,
    /// The two people of a 1:1 (a manager and a direct report), nobody
    /// else: not skip-levels, not the people team, not admins.
    Pair,
    /// The person alone.
    Myself,
    /// The person and their manager chain: 360 results. Not the people
    /// team, not admins.
    PersonAndChain,
    /// Those asked for feedback about the person (self, manager, reports,
    /// nominated peers).
    Respondent,
    /// The person's direct manager: proposing a level change.
    DirectManager,
    /// The person's manager chain and the people team; never the person:
    /// a level-change proposal.
    ChainAndPeopleTeam,
    /// Whoever the proposal's approval chain names next (skip-level, then
    /// the people team).
    NextApprover,
    /// The people team and the department's leaders: calibration.
    Calibrators,
    /// Any signed-in account that is a person in the organisation: asking
    /// for an internship for oneself.
    HasPerson,
    /// An internship's intern and their manager chain, the mentor and the
    /// mentor's manager, and the people team: its log and outcome.
    InternshipParties,
    /// The intern's direct manager (home side) and the mentor or the
    /// mentor's manager (host side).
    InternshipApprover,
    /// The intern, their direct manager and the host side: logging and
    /// completing.
    InternshipSides,
    /// The people team and admins: opening positions.
    HiringAdmin,
    /// An opening's hiring team (leads and interviewers) and admins: its
    /// candidates.
    HiringTeam,
    /// An opening's hiring team, not admins: scoring.
    HiringInterviewer,
    /// An opening's leads and admins: moving and deleting candidates.
    HiringLead,
    PeopleTeam,
    Admin,
    /// Admins and the people team: the delivery log.
    DeliveryLog,
    /// Framework editors and admins.
    Editor,
    /// Framework editors, admins and the people team: a change's impact.
    FrameworkReview,
    /// SCIM provisioning clients, by their own bearer token: no session of
    /// any role.
    Provisioning,
    /// A monitoring system, by the metrics token: no session of any role.
    Monitoring,
}

#[derive(Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub audience: Audience,
    pub handler: fn() -> MethodRouter<AppState>,
}

macro_rules! route {
    (GET $path:literal, $aud:ident, $h:path) => {
        Route {
            method: "GET",
            path: $path,
            audience: Audience::$aud,
            handler: || get($h),
        }
    };
    (POST $path:literal, $aud:ident, $h:path) => {
        Route {
            method: "POST",
            path: $path,
            audience: Audience::$aud,
            handler: || post($h),
        }
    };
    (PUT $path:literal, $aud:ident, $h:path) => {
        Route {
            method: "PUT",
            path: $path,
            audience: Audience::$aud,
            handler: || put($h),
        }
    };
    (PATCH $path:literal, $aud:ident, $h:path) => {
        Route {
            method: "PATCH",
            path: $path,
            audience: Audience::$aud,
            handler: || patch($h),
        }
    };
    (DELETE $path:literal, $aud:ident, $h:path) => {
        Route {
            method: "DELETE",
            path: $path,
            audience: Audience::$aud,
            handler: || delete($h),
        }
    };
}

pub const ROUTES: &[Route] = &[
    route!(GET "/healthz", Public, http::page::health),
    route!(GET "/readyz", Public, http::page::ready),
    route!(GET "/metrics", Monitoring, crate::metrics::metrics),
    route!(GET "/assets/{file}", Public, http::page::asset),
    route!(GET "/favicon.ico", Public, http::page::favicon),
    route!(GET "/login", Public, accounts::pages::login_form),
    route!(POST "/login", Public, accounts::pages::login),
    route!(POST "/logout", SignedIn, accounts::pages::logout),
    route!(GET "/auth/oidc/start", Public, accounts::pages::sso_start),
    route!(GET "/auth/oidc/callback", Public, accounts::pages::sso_callback),
    route!(GET "/setup", Public, accounts::pages::setup_form),
    route!(GET "/password/forgot", Public, accounts::me::forgot_form),
    route!(POST "/password/forgot", Public, accounts::me::forgot),
    route!(GET "/password/reset/{token}", Public, accounts::me::reset_form),
    route!(POST "/password/reset/{token}", Public, accounts::me::reset),
    route!(GET "/me/account", SignedIn, accounts::me::account),
    route!(GET "/me/export", SignedIn, accounts::export::page),
    route!(POST "/me/password", SignedIn, accounts::me::change_password),
    route!(POST "/me/sessions/end", SignedIn, accounts::me::end_session),
    route!(POST "/me/sign-out-everywhere", SignedIn, accounts::me::sign_out_everywhere),
    route!(POST "/me/tokens", SignedIn, accounts::me::create_token),
    route!(POST "/me/tokens/{id}/revoke", SignedIn, accounts::me::revoke_token),
    route!(POST "/setup", Public, accounts::pages::setup),
    route!(GET "/", SignedIn, inbox::pages::home),
    route!(GET "/my-role", SignedIn, framework::pages::my_role),
    route!(GET "/people/{id}", SignedIn, people::pages::person),
    route!(GET "/people/{id}/history", PrivateToPerson, people::pages::person_history),
    route!(GET "/team", SignedIn, people::pages::team),
    route!(GET "/team/growth", SignedIn, growth::pages::team_growth),
    route!(GET "/team/heatmap.svg", SignedIn, growth::pages::heatmap),
    route!(GET "/people/{id}/worksheet", PrivateToPerson, growth::worksheet::worksheet_page),
    route!(POST "/people/{id}/worksheet", PersonOrManager, growth::worksheet::rate),
    route!(POST "/people/{id}/worksheet/seen", Myself, growth::pages::mark_seen),
    route!(GET "/people/{id}/radar.svg", PrivateToPerson, growth::pages::radar),
    route!(GET "/people/{id}/readiness.svg", PrivateToPerson, growth::pages::readiness_chart),
    route!(GET "/people/{id}/checkpoints", PrivateToPerson, growth::pages::checkpoints),
    route!(GET "/people/{id}/checkpoints/new", PersonOrManager, growth::pages::new_checkpoint),
    route!(POST "/people/{id}/checkpoints", PersonOrManager, growth::pages::open_checkpoint),
    route!(GET "/checkpoints/{checkpoint}", PrivateToPerson, growth::pages::checkpoint),
    route!(POST "/checkpoints/{checkpoint}/close", PersonOrManager, growth::pages::close_checkpoint),
    route!(GET "/one-on-ones", SignedIn, one_on_ones::pages::one_on_ones),
    route!(GET "/one-on-ones/{manager}/{report}", Pair, one_on_ones::pages::pair),
    route!(POST "/one-on-ones/{manager}/{report}/meetings", Pair, one_on_ones::pages::create_meeting),
    route!(POST "/one-on-ones/{manager}/{report}/standing", Pair, one_on_ones::pages::add_standing),
    route!(POST "/one-on-ones/{manager}/{report}/series", Pair, one_on_ones::pages::start_series),
    route!(POST "/one-on-ones/{manager}/{report}/series/{action}", Pair, one_on_ones::pages::series_state),
    route!(GET "/meetings/{meeting}", Pair, one_on_ones::pages::meeting),
    route!(POST "/meetings/{meeting}/agenda", Pair, one_on_ones::pages::add_agenda),
    route!(POST "/meetings/{meeting}/notes", Pair, one_on_ones::pages::save_notes),
    route!(POST "/meetings/{meeting}/private", Pair, one_on_ones::pages::save_private),
    route!(POST "/meetings/{meeting}/actions", Pair, one_on_ones::pages::add_action),
    route!(POST "/actions/{action}/done", Pair, one_on_ones::pages::complete_action),
    route!(GET "/cycles", SignedIn, feedback::pages::cycles),
    route!(POST "/cycles", PeopleTeam, feedback::pages::create_cycle),
    route!(GET "/cycles/{cycle}", SignedIn, feedback::pages::cycle),
    route!(POST "/cycles/{cycle}/advance", PeopleTeam, feedback::pages::advance),
    route!(POST "/cycles/{cycle}/release", PeopleTeam, feedback::pages::release),
    route!(GET "/cycles/{cycle}/reminders", PeopleTeam, feedback::pages::reminders),
    route!(GET "/cycles/{cycle}/nominations/{id}", PersonOrManager, feedback::pages::nominations),
    route!(POST "/cycles/{cycle}/nominations/{id}", PersonOrManager, feedback::pages::save_nominations),
    route!(GET "/cycles/{cycle}/nominations/{id}/people", PersonOrManager, feedback::pages::nomination_search),
    route!(GET "/cycles/{cycle}/feedback/{id}", Respondent, feedback::pages::answer_form),
    route!(POST "/cycles/{cycle}/feedback/{id}", Respondent, feedback::pages::answer),
    route!(GET "/cycles/{cycle}/results/{id}", PersonAndChain, feedback::pages::results),
    route!(GET "/cycles/{cycle}/calibration/{department}", Calibrators, feedback::review::calibration),
    route!(POST "/cycles/{cycle}/calibration/{department}/lock", PeopleTeam, feedback::review::lock_calibration),
    route!(GET "/people/{id}/proposals/new", DirectManager, feedback::review::propose_form),
    route!(POST "/people/{id}/proposals", DirectManager, feedback::review::propose),
    route!(GET "/proposals/{proposal}", ChainAndPeopleTeam, feedback::review::proposal),
    route!(POST "/proposals/{proposal}/decide", NextApprover, feedback::review::decide),
    route!(GET "/pay", PeopleTeam, pay::pages::overview),
    route!(POST "/pay/bands/import", PeopleTeam, pay::pages::import_bands),
    route!(POST "/pay/salaries/import", PeopleTeam, pay::pages::import_salaries),
    route!(GET "/pay/export.csv", PeopleTeam, pay::pages::export),
    route!(GET "/people/{id}/erase", PeopleTeam, people::erase::confirm),
    route!(POST "/people/{id}/erase", PeopleTeam, people::erase::erase),
    route!(GET "/people/{id}/pay", PrivateToPerson, pay::pages::person_pay),
    route!(GET "/team/pay", SignedIn, pay::pages::team_pay),
    route!(GET "/internships", SignedIn, internships::pages::board),
    route!(POST "/internships", HasPerson, internships::pages::request),
    route!(GET "/internships/mentors", HasPerson, internships::pages::mentor_search),
    route!(GET "/internships/{internship}", InternshipParties, internships::pages::show),
    route!(POST "/internships/{internship}/decide", InternshipApprover, internships::pages::decide),
    route!(POST "/internships/{internship}/log", InternshipSides, internships::pages::add_log),
    route!(POST "/internships/{internship}/complete", InternshipSides, internships::pages::complete),
    route!(GET "/hiring", SignedIn, hiring::pages::hiring),
    route!(POST "/hiring", HiringAdmin, hiring::pages::open),
    route!(GET "/hiring/people", HiringAdmin, hiring::pages::people_search),
    route!(GET "/hiring/{opening}", HiringTeam, hiring::pages::opening),
    route!(POST "/hiring/{opening}/candidates", HiringTeam, hiring::pages::add_candidate),
    route!(GET "/candidates/{candidate}", HiringTeam, hiring::pages::candidate),
    route!(POST "/candidates/{candidate}/scorecards", HiringInterviewer, hiring::pages::score),
    route!(POST "/candidates/{candidate}/move", HiringLead, hiring::pages::move_candidate),
    route!(POST "/candidates/{candidate}/delete", HiringLead, hiring::pages::delete),
    route!(GET "/org", SignedIn, people::pages::org),
    route!(GET "/org/search", SignedIn, people::pages::org_search),
    route!(GET "/framework/", Public, framework::pages::framework_index),
    route!(GET "/framework/{*path}", Public, framework::pages::framework_file),
    route!(GET "/people-team/import", PeopleTeam, people::pages::import_form),
    route!(POST "/people-team/import", PeopleTeam, people::pages::import),
    route!(GET "/people-team/export.csv", PeopleTeam, people::pages::export),
    route!(GET "/audit", PeopleTeam, people::audit::audit),
    route!(GET "/audit/export.csv", PeopleTeam, people::audit::export_csv),
    route!(GET "/audit/export.json", PeopleTeam, people::audit::export_json),
    route!(GET "/admin/users", Admin, accounts::pages::users),
    route!(POST "/admin/users", Admin, accounts::pages::create_user),
    route!(POST "/admin/users/{id}/roles", Admin, accounts::pages::set_roles),
    route!(POST "/admin/users/{id}/deactivate", Admin, accounts::pages::deactivate),
    route!(POST "/admin/users/{id}/reactivate", Admin, accounts::pages::reactivate),
    route!(POST "/admin/framework/reload", Editor, framework::pages::reload),
    route!(GET "/admin/framework/changes", FrameworkReview, framework::review::changes),
    route!(POST "/admin/framework/stage", FrameworkReview, framework::review::stage),
    route!(POST "/admin/framework/publish", FrameworkReview, framework::review::publish),
    route!(POST "/admin/framework/rollback", FrameworkReview, framework::review::roll_back),
    route!(GET "/me/calendar", HasPerson, calendar::pages::calendar),
    route!(POST "/me/calendar", HasPerson, calendar::pages::rotate),
    route!(GET "/calendar/{file}", Public, calendar::pages::feed),
    route!(GET "/me/notifications", HasPerson, notify::pages::prefs),
    route!(POST "/me/notifications", HasPerson, notify::pages::save_prefs),
    route!(GET "/admin/deliveries", DeliveryLog, notify::pages::deliveries),
    route!(POST "/admin/deliveries/{id}/resend", DeliveryLog, notify::pages::resend),
    route!(POST "/admin/webhooks", Admin, notify::pages::add_webhook),
    route!(POST "/admin/webhooks/{id}/delete", Admin, notify::pages::delete_webhook),
    route!(GET "/api/v1/openapi.json", Public, api::openapi),
    route!(GET "/api/v1/me", SignedIn, accounts::api::me),
    route!(GET "/api/v1/me/export", SignedIn, accounts::export::api),
    route!(GET "/api/v1/me/tasks", SignedIn, inbox::api::tasks),
    route!(GET "/api/v1/people", SignedIn, people::api::people),
    route!(GET "/api/v1/people/{id}", SignedIn, people::api::person),
    route!(GET "/api/v1/people/{id}/history", PrivateToPerson, people::api::person_history),
    route!(POST "/api/v1/people/import", PeopleTeam, people::api::import_people),
    route!(GET "/api/v1/framework", Public, framework::api::framework),
    route!(GET "/api/v1/framework/roles/{family}/{level}", Public, framework::api::role),
    route!(POST "/api/v1/tokens", SignedIn, accounts::api::create_token),
    route!(GET "/api/v1/me/tokens", SignedIn, accounts::api::my_tokens),
    route!(POST "/api/v1/me/tokens/{id}/revoke", SignedIn, accounts::api::revoke_token),
    route!(GET "/api/v1/me/sessions", SignedIn, accounts::api::my_sessions),
    route!(POST "/api/v1/me/sessions/{id}/end", SignedIn, accounts::api::end_session),
    route!(POST "/api/v1/me/sign-out-everywhere", SignedIn, accounts::api::sign_out_everywhere),
    route!(GET "/api/v1/people/{id}/worksheet", PrivateToPerson, growth::api::worksheet),
    route!(POST "/api/v1/people/{id}/ratings", PersonOrManager, growth::api::rate),
    route!(GET "/api/v1/people/{id}/checkpoints", PrivateToPerson, growth::api::checkpoints),
    route!(POST "/api/v1/people/{id}/checkpoints", PersonOrManager, growth::api::open_checkpoint),
    route!(POST "/api/v1/checkpoints/{checkpoint}/close", PersonOrManager, growth::api::close_checkpoint),
    route!(GET "/api/v1/one-on-ones/{manager}/{report}", Pair, one_on_ones::api::pair),
    route!(POST "/api/v1/one-on-ones/{manager}/{report}/meetings", Pair, one_on_ones::api::create_meeting),
    route!(POST "/api/v1/one-on-ones/{manager}/{report}/series", Pair, one_on_ones::api::start_series),
    route!(POST "/api/v1/one-on-ones/{manager}/{report}/series/{action}", Pair, one_on_ones::api::series_state),
    route!(GET "/api/v1/meetings/{meeting}", Pair, one_on_ones::api::meeting),
    route!(POST "/api/v1/meetings/{meeting}/agenda", Pair, one_on_ones::api::add_agenda),
    route!(POST "/api/v1/meetings/{meeting}/notes", Pair, one_on_ones::api::save_notes),
    route!(POST "/api/v1/meetings/{meeting}/private", Pair, one_on_ones::api::save_private),
    route!(POST "/api/v1/meetings/{meeting}/actions", Pair, one_on_ones::api::add_action),
    route!(POST "/api/v1/actions/{action}/done", Pair, one_on_ones::api::complete_action),
    route!(GET "/api/v1/team/growth", SignedIn, growth::api::team),
    route!(GET "/api/v1/cycles", SignedIn, feedback::api::cycles),
    route!(POST "/api/v1/cycles", PeopleTeam, feedback::api::create_cycle),
    route!(GET "/api/v1/cycles/{cycle}", SignedIn, feedback::api::cycle),
    route!(POST "/api/v1/cycles/{cycle}/advance", PeopleTeam, feedback::api::advance),
    route!(POST "/api/v1/cycles/{cycle}/release", PeopleTeam, feedback::api::release),
    route!(GET "/api/v1/cycles/{cycle}/completion", PeopleTeam, feedback::api::completion),
    route!(GET "/api/v1/cycles/{cycle}/reminders", PeopleTeam, feedback::api::reminders),
    route!(GET "/api/v1/cycles/{cycle}/nominations/{id}", PersonOrManager, feedback::api::nominations),
    route!(POST "/api/v1/cycles/{cycle}/nominations/{id}", PersonOrManager, feedback::api::save_nominations),
    route!(GET "/api/v1/cycles/{cycle}/questions/{id}", Respondent, feedback::api::questions),
    route!(POST "/api/v1/cycles/{cycle}/feedback/{id}", Respondent, feedback::api::answer),
    route!(GET "/api/v1/cycles/{cycle}/results/{id}", PersonAndChain, feedback::api::results),
    route!(GET "/api/v1/cycles/{cycle}/calibration/{department}", Calibrators, feedback::api::calibration),
    route!(POST "/api/v1/cycles/{cycle}/calibration/{department}/lock", PeopleTeam, feedback::api::lock),
    route!(POST "/api/v1/people/{id}/proposals", DirectManager, feedback::api::propose),
    route!(GET "/api/v1/proposals/{proposal}", ChainAndPeopleTeam, feedback::api::proposal),
    route!(POST "/api/v1/proposals/{proposal}/decisions", NextApprover, feedback::api::decide),
    route!(POST "/api/v1/people/{id}/erase", PeopleTeam, people::erase::api),
    route!(GET "/api/v1/people/{id}/pay", PrivateToPerson, pay::api::person_pay),
    route!(GET "/api/v1/pay/compa", PeopleTeam, pay::api::compa),
    route!(POST "/api/v1/pay/bands/import", PeopleTeam, pay::api::import_bands),
    route!(POST "/api/v1/pay/salaries/import", PeopleTeam, pay::api::import_salaries),
    route!(GET "/api/v1/internships", SignedIn, internships::api::api_board),
    route!(POST "/api/v1/internships", HasPerson, internships::api::api_request),
    route!(GET "/api/v1/internships/{internship}", InternshipParties, internships::api::api_show),
    route!(POST "/api/v1/internships/{internship}/decisions", InternshipApprover, internships::api::api_decide),
    route!(POST "/api/v1/internships/{internship}/log", InternshipSides, internships::api::api_log),
    route!(POST "/api/v1/internships/{internship}/complete", InternshipSides, internships::api::api_complete),
    route!(GET "/api/v1/openings", SignedIn, hiring::api::api_openings),
    route!(POST "/api/v1/openings", HiringAdmin, hiring::api::api_open),
    route!(GET "/api/v1/openings/{opening}", HiringTeam, hiring::api::api_opening),
    route!(POST "/api/v1/openings/{opening}/candidates", HiringTeam, hiring::api::api_add_candidate),
    route!(GET "/api/v1/candidates/{candidate}", HiringTeam, hiring::api::api_candidate),
    route!(POST "/api/v1/candidates/{candidate}/scorecards", HiringInterviewer, hiring::api::api_score),
    route!(POST "/api/v1/candidates/{candidate}/move", HiringLead, hiring::api::api_move),
    route!(POST "/api/v1/candidates/{candidate}/delete", HiringLead, hiring::api::api_delete),
    route!(GET "/admin/provisioning", Admin, scim::pages::clients),
    route!(POST "/admin/provisioning", Admin, scim::pages::create_client),
    route!(POST "/admin/provisioning/{id}/revoke", Admin, scim::pages::revoke_client),
    route!(GET "/scim/v2/ServiceProviderConfig", Provisioning, scim::service_provider_config),
    route!(GET "/scim/v2/ResourceTypes", Provisioning, scim::resource_types),
    route!(GET "/scim/v2/ResourceTypes/{id}", Provisioning, scim::resource_type),
    route!(GET "/scim/v2/Schemas", Provisioning, scim::schemas),
    route!(GET "/scim/v2/Schemas/{id}", Provisioning, scim::schema),
    route!(GET "/scim/v2/Users", Provisioning, scim::users::list_users),
    route!(POST "/scim/v2/Users", Provisioning, scim::users::create_user),
    route!(GET "/scim/v2/Users/{id}", Provisioning, scim::users::get_user),
    route!(PUT "/scim/v2/Users/{id}", Provisioning, scim::users::replace_user),
    route!(PATCH "/scim/v2/Users/{id}", Provisioning, scim::users::patch_user),
    route!(DELETE "/scim/v2/Users/{id}", Provisioning, scim::users::delete_user),
    route!(GET "/scim/v2/Groups", Provisioning, scim::groups::list_groups),
    route!(POST "/scim/v2/Groups", Provisioning, scim::groups::create_group),
    route!(GET "/scim/v2/Groups/{id}", Provisioning, scim::groups::get_group),
    route!(PUT "/scim/v2/Groups/{id}", Provisioning, scim::groups::replace_group),
    route!(PATCH "/scim/v2/Groups/{id}", Provisioning, scim::groups::patch_group),
    route!(DELETE "/scim/v2/Groups/{id}", Provisioning, scim::groups::delete_group),
    route!(GET "/scim/v2/{*rest}", Provisioning, scim::unknown),
];
