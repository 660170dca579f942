// The one list of the app's commands, as `module::command`. It is read by build.rs (which
// makes an `allow-<command>` permission for each) and by commands/mod.rs (the invoke handler
// and `COMMAND_NAMES`); tests check the capability file, docs/commands.md and ui/js/api.js
// against it.
app_commands! {
    app::app_info,
    app::set_language,
    system::diagnostics,
    system::open_log_folder,
    dashboard::dashboard,
    dashboard::job_history,
    logs::log_details,
    logs::logs,
    logs::clear_logs,
    logs::import_files,
    logs::import_file,
    collect::collect,
    collect::cancel_collect,
    servers::test_connection,
    servers::update_server,
    servers::set_password,
    servers::clear_password,
    servers::retrust_server,
    servers::delete_server,
    servers::trusted_cas,
    servers::import_ca,
    servers::remove_ca,
    demo::start_demo,
    demo::remove_demo,
}
