"""What the notification screens say, in English and Chinese."""

from __future__ import annotations

from ..i18n import Label


def _l(en: str, zh: str) -> Label:
    return Label({"en": en, "zh": zh})


TEXT = {
    "notifications": _l("Notifications", "通知"),
    "empty": _l("No notifications.", "暂无通知。"),
    "unread_only": _l("Unread only", "只看未读"),
    "all": _l("All", "全部"),
    "mark_read": _l("Mark read", "标为已读"),
    "mark_all_read": _l("Mark all read", "全部标为已读"),
    "marked": _l("Marked {} notification(s) read.", "已将 {} 条通知标为已读。"),
    "open": _l("Open the record", "打开记录"),
    "preferences": _l("Notification settings", "通知设置"),
    "event": _l("Event", "事件"),
    "in_app": _l("In the inbox", "站内通知"),
    "email": _l("By e-mail", "邮件"),
    "language": _l("E-mail language", "邮件语言"),
    "save": _l("Save", "保存"),
    "saved": _l("Your notification settings are saved.", "通知设置已保存。"),
    "bad_language": _l("Choose English or Chinese.", "请选择英文或中文。"),
    "follow": _l("Follow", "关注"),
    "unfollow": _l("Unfollow", "取消关注"),
    "followed": _l("You follow this record: its changes reach your inbox.", "已关注此记录：其变更将通知您。"),
    "unfollowed": _l("You no longer follow this record.", "已取消关注此记录。"),
    "previous": _l("Previous", "上一页"),
    "next": _l("Next", "下一页"),
    "when": _l("When", "时间"),
    "unread": _l("unread", "未读"),
    "outbox": _l("E-mail outbox", "邮件发件箱"),
    "recipient": _l("Recipient", "收件人"),
    "status": _l("Status", "状态"),
    "attempts": _l("Attempts", "尝试次数"),
    "last_error": _l("Last error", "最近错误"),
    "retry": _l("Try again", "重试"),
    "retrying": _l("The e-mail will be sent again at the worker's next tick.", "该邮件将在后台任务下次运行时重新发送。"),
}
MAIL_STATUS = {"pending": _l("Waiting", "待发送"), "sending": _l("Sending", "发送中"), "sent": _l("Sent", "已发送"),
               "failed": _l("Failed", "发送失败")}
LANGUAGE_NAMES = {"en": _l("English", "英文"), "zh": _l("Chinese", "中文")}
