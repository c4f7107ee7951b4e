//! The route table: every route the server answers, in one list. The
//! router is built from it, and the authorization matrix test reads it, so
//! a route cannot exist without an entry in the matrix.

use crate::{
    AppState, api, api_feedback, api_growth, api_ops, feedback, growth, hiring, internships, pay,
    web,
};
use axum::routing::{MethodRouter, get, post};

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
    /// Framework editors and admins.
    Editor,
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
}

pub const ROUTES: &[Route] = &[
    route!(GET "/healthz", Public, web::health),
    route!(GET "/assets/{file}", Public, web::asset),
    route!(GET "/login", Public, web::login_form),
    route!(POST "/login", Public, web::login),
    route!(POST "/logout", SignedIn, web::logout),
    route!(GET "/auth/oidc/start", Public, web::sso_start),
    route!(GET "/auth/oidc/callback", Public, web::sso_callback),
    route!(GET "/setup", Public, web::setup_form),
    route!(POST "/setup", Public, web::setup),
    route!(GET "/", SignedIn, web::home),
    route!(GET "/people/{id}", SignedIn, web::person),
    route!(GET "/people/{id}/history", PrivateToPerson, web::person_history),
    route!(GET "/team", SignedIn, web::team),
    route!(GET "/team/growth", SignedIn, growth::team_growth),
    route!(GET "/team/heatmap.svg", SignedIn, growth::heatmap),
    route!(GET "/people/{id}/worksheet", PrivateToPerson, growth::worksheet_page),
    route!(POST "/people/{id}/worksheet", PersonOrManager, growth::rate),
    route!(POST "/people/{id}/worksheet/seen", Myself, growth::mark_seen),
    route!(GET "/people/{id}/radar.svg", PrivateToPerson, growth::radar),
    route!(GET "/people/{id}/readiness.svg", PrivateToPerson, growth::readiness_chart),
    route!(GET "/people/{id}/checkpoints", PrivateToPerson, growth::checkpoints),
    route!(GET "/people/{id}/checkpoints/new", PersonOrManager, growth::new_checkpoint),
    route!(POST "/people/{id}/checkpoints", PersonOrManager, growth::open_checkpoint),
    route!(GET "/checkpoints/{checkpoint}", PrivateToPerson, growth::checkpoint),
    route!(POST "/checkpoints/{checkpoint}/close", PersonOrManager, growth::close_checkpoint),
    route!(GET "/one-on-ones", SignedIn, growth::one_on_ones),
    route!(GET "/one-on-ones/{manager}/{report}", Pair, growth::pair),
    route!(POST "/one-on-ones/{manager}/{report}/meetings", Pair, growth::create_meeting),
    route!(POST "/one-on-ones/{manager}/{report}/standing", Pair, growth::add_standing),
    route!(GET "/meetings/{meeting}", Pair, growth::meeting),
    route!(POST "/meetings/{meeting}/agenda", Pair, growth::add_agenda),
    route!(POST "/meetings/{meeting}/notes", Pair, growth::save_notes),
    route!(POST "/meetings/{meeting}/private", Pair, growth::save_private),
    route!(POST "/meetings/{meeting}/actions", Pair, growth::add_action),
    route!(POST "/actions/{action}/done", Pair, growth::complete_action),
    route!(GET "/cycles", SignedIn, feedback::cycles),
    route!(POST "/cycles", PeopleTeam, feedback::create_cycle),
    route!(GET "/cycles/{cycle}", SignedIn, feedback::cycle),
    route!(POST "/cycles/{cycle}/advance", PeopleTeam, feedback::advance),
    route!(GET "/cycles/{cycle}/reminders", PeopleTeam, feedback::reminders),
    route!(GET "/cycles/{cycle}/nominations/{id}", PersonOrManager, feedback::nominations),
    route!(POST "/cycles/{cycle}/nominations/{id}", PersonOrManager, feedback::save_nominations),
    route!(GET "/cycles/{cycle}/feedback/{id}", Respondent, feedback::answer_form),
    route!(POST "/cycles/{cycle}/feedback/{id}", Respondent, feedback::answer),
    route!(GET "/cycles/{cycle}/results/{id}", PersonAndChain, feedback::results),
    route!(GET "/cycles/{cycle}/calibration/{department}", Calibrators, feedback::calibration),
    route!(POST "/cycles/{cycle}/calibration/{department}/lock", PeopleTeam, feedback::lock_calibration),
    route!(GET "/people/{id}/proposals/new", DirectManager, feedback::propose_form),
    route!(POST "/people/{id}/proposals", DirectManager, feedback::propose),
    route!(GET "/proposals/{proposal}", ChainAndPeopleTeam, feedback::proposal),
    route!(POST "/proposals/{proposal}/decide", NextApprover, feedback::decide),
    route!(GET "/pay", PeopleTeam, pay::overview),
    route!(POST "/pay/bands/import", PeopleTeam, pay::import_bands),
    route!(POST "/pay/salaries/import", PeopleTeam, pay::import_salaries),
    route!(GET "/pay/export.csv", PeopleTeam, pay::export),
    route!(GET "/people/{id}/pay", PrivateToPerson, pay::person_pay),
    route!(GET "/team/pay", SignedIn, pay::team_pay),
    route!(GET "/internships", SignedIn, internships::board),
    route!(POST "/internships", HasPerson, internships::request),
    route!(GET "/internships/{internship}", InternshipParties, internships::show),
    route!(POST "/internships/{internship}/decide", InternshipApprover, internships::decide),
    route!(POST "/internships/{internship}/log", InternshipSides, internships::add_log),
    route!(POST "/internships/{internship}/complete", InternshipSides, internships::complete),
    route!(GET "/hiring", SignedIn, hiring::hiring),
    route!(POST "/hiring", HiringAdmin, hiring::open),
    route!(GET "/hiring/{opening}", HiringTeam, hiring::opening),
    route!(POST "/hiring/{opening}/candidates", HiringTeam, hiring::add_candidate),
    route!(GET "/candidates/{candidate}", HiringTeam, hiring::candidate),
    route!(POST "/candidates/{candidate}/scorecards", HiringInterviewer, hiring::score),
    route!(POST "/candidates/{candidate}/move", HiringLead, hiring::move_candidate),
    route!(POST "/candidates/{candidate}/delete", HiringLead, hiring::delete),
    route!(GET "/org", SignedIn, web::org),
    route!(GET "/org/search", SignedIn, web::org_search),
    route!(GET "/framework/", Public, web::framework_index),
    route!(GET "/framework/{*path}", Public, web::framework_file),
    route!(GET "/people-team/import", PeopleTeam, web::import_form),
    route!(POST "/people-team/import", PeopleTeam, web::import),
    route!(GET "/people-team/export.csv", PeopleTeam, web::export),
    route!(GET "/audit", PeopleTeam, web::audit),
    route!(GET "/admin/users", Admin, web::users),
    route!(POST "/admin/users", Admin, web::create_user),
    route!(POST "/admin/users/{id}/roles", Admin, web::set_roles),
    route!(POST "/admin/framework/reload", Editor, web::reload),
    route!(GET "/api/v1/openapi.json", Public, api::openapi),
    route!(GET "/api/v1/me", SignedIn, api::me),
    route!(GET "/api/v1/people", SignedIn, api::people),
    route!(GET "/api/v1/people/{id}", SignedIn, api::person),
    route!(GET "/api/v1/people/{id}/history", PrivateToPerson, api::person_history),
    route!(POST "/api/v1/people/import", PeopleTeam, api::import_people),
    route!(GET "/api/v1/framework", Public, api::framework),
    route!(GET "/api/v1/framework/roles/{family}/{level}", Public, api::role),
    route!(POST "/api/v1/tokens", SignedIn, api::create_token),
    route!(GET "/api/v1/people/{id}/worksheet", PrivateToPerson, api_growth::worksheet),
    route!(POST "/api/v1/people/{id}/ratings", PersonOrManager, api_growth::rate),
    route!(GET "/api/v1/people/{id}/checkpoints", PrivateToPerson, api_growth::checkpoints),
    route!(POST "/api/v1/people/{id}/checkpoints", PersonOrManager, api_growth::open_checkpoint),
    route!(POST "/api/v1/checkpoints/{checkpoint}/close", PersonOrManager, api_growth::close_checkpoint),
    route!(GET "/api/v1/one-on-ones/{manager}/{report}", Pair, api_growth::pair),
    route!(POST "/api/v1/one-on-ones/{manager}/{report}/meetings", Pair, api_growth::create_meeting),
    route!(GET "/api/v1/meetings/{meeting}", Pair, api_growth::meeting),
    route!(POST "/api/v1/meetings/{meeting}/agenda", Pair, api_growth::add_agenda),
    route!(POST "/api/v1/meetings/{meeting}/notes", Pair, api_growth::save_notes),
    route!(POST "/api/v1/meetings/{meeting}/private", Pair, api_growth::save_private),
    route!(POST "/api/v1/meetings/{meeting}/actions", Pair, api_growth::add_action),
    route!(POST "/api/v1/actions/{action}/done", Pair, api_growth::complete_action),
    route!(GET "/api/v1/team/growth", SignedIn, api_growth::team),
    route!(GET "/api/v1/cycles", SignedIn, api_feedback::cycles),
    route!(POST "/api/v1/cycles", PeopleTeam, api_feedback::create_cycle),
    route!(GET "/api/v1/cycles/{cycle}", SignedIn, api_feedback::cycle),
    route!(POST "/api/v1/cycles/{cycle}/advance", PeopleTeam, api_feedback::advance),
    route!(GET "/api/v1/cycles/{cycle}/completion", PeopleTeam, api_feedback::completion),
    route!(GET "/api/v1/cycles/{cycle}/reminders", PeopleTeam, api_feedback::reminders),
    route!(GET "/api/v1/cycles/{cycle}/nominations/{id}", PersonOrManager, api_feedback::nominations),
    route!(POST "/api/v1/cycles/{cycle}/nominations/{id}", PersonOrManager, api_feedback::save_nominations),
    route!(GET "/api/v1/cycles/{cycle}/questions/{id}", Respondent, api_feedback::questions),
    route!(POST "/api/v1/cycles/{cycle}/feedback/{id}", Respondent, api_feedback::answer),
    route!(GET "/api/v1/cycles/{cycle}/results/{id}", PersonAndChain, api_feedback::results),
    route!(GET "/api/v1/cycles/{cycle}/calibration/{department}", Calibrators, api_feedback::calibration),
    route!(POST "/api/v1/cycles/{cycle}/calibration/{department}/lock", PeopleTeam, api_feedback::lock),
    route!(POST "/api/v1/people/{id}/proposals", DirectManager, api_feedback::propose),
    route!(GET "/api/v1/proposals/{proposal}", ChainAndPeopleTeam, api_feedback::proposal),
    route!(POST "/api/v1/proposals/{proposal}/decisions", NextApprover, api_feedback::decide),
    route!(GET "/api/v1/people/{id}/pay", PrivateToPerson, api_ops::person_pay),
    route!(GET "/api/v1/pay/compa", PeopleTeam, api_ops::compa),
    route!(POST "/api/v1/pay/bands/import", PeopleTeam, api_ops::import_bands),
    route!(POST "/api/v1/pay/salaries/import", PeopleTeam, api_ops::import_salaries),
    route!(GET "/api/v1/internships", SignedIn, internships::api_board),
    route!(POST "/api/v1/internships", HasPerson, internships::api_request),
    route!(GET "/api/v1/internships/{internship}", InternshipParties, internships::api_show),
    route!(POST "/api/v1/internships/{internship}/decisions", InternshipApprover, internships::api_decide),
    route!(POST "/api/v1/internships/{internship}/log", InternshipSides, internships::api_log),
    route!(POST "/api/v1/internships/{internship}/complete", InternshipSides, internships::api_complete),
    route!(GET "/api/v1/openings", SignedIn, hiring::api_openings),
    route!(POST "/api/v1/openings", HiringAdmin, hiring::api_open),
    route!(GET "/api/v1/openings/{opening}", HiringTeam, hiring::api_opening),
    route!(POST "/api/v1/openings/{opening}/candidates", HiringTeam, hiring::api_add_candidate),
    route!(GET "/api/v1/candidates/{candidate}", HiringTeam, hiring::api_candidate),
    route!(POST "/api/v1/candidates/{candidate}/scorecards", HiringInterviewer, hiring::api_score),
    route!(POST "/api/v1/candidates/{candidate}/move", HiringLead, hiring::api_move),
    route!(POST "/api/v1/candidates/{candidate}/delete", HiringLead, hiring::api_delete),
];
