use ably_auth::{AblyRole, Operation};

#[derive(AblyRole)]
enum Role {
    #[ably(grant("push:*" => ["push-admin", push_subscribe, "object-publish"]))]
    Operator,
    #[ably(grant("everything" => [
        "annotation-publish", "annotation-subscribe", "channel-metadata", "history",
        "message-delete-any", "message-delete-own", "message-update-any", "message-update-own",
        "object-publish", "object-subscribe", "presence", "privileged-headers", "publish",
        "push-admin", "push-subscribe", "stats", "subscribe",
    ]))]
    #[ably(grant("idents" => [
        annotation_publish, annotation_subscribe, channel_metadata, history,
        message_delete_any, message_delete_own, message_update_any, message_update_own,
        object_publish, object_subscribe, presence, privileged_headers, publish,
        push_admin, push_subscribe, stats, subscribe,
    ]))]
    All,
    #[ably(grant("star" => [*]), grant("quoted" => ["*"]))]
    Star,
}

fn main() {
    let ops = Role::Operator.ably_rules()[0].operations;
    assert!(ops.contains(Operation::PushAdmin) && ops.contains(Operation::ObjectPublish));
    let all = Role::All.ably_rules();
    assert_eq!(all[0].operations, all[1].operations);
    assert_eq!(all[0].operations.iter().count(), Operation::LIST.len());
    assert!(Role::Star.ably_rules().iter().all(|r| r.operations.is_all()));
}
