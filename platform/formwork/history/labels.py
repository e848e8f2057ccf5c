"""Every text the history, the comments and the timeline show, in English and Chinese."""

from __future__ import annotations

from ..i18n import label_table

ACTION = label_table({
    "create": ("Created", "创建"),
    "update": ("Changed", "修改"),
    "delete": ("Deleted", "删除"),
})

TEXT = label_table({
    "timeline": ("Activity", "动态"),
    "empty": ("Nothing has happened to this record yet.", "此记录暂无动态。"),
    "comment": ("Comment", "评论"),
    "comment_placeholder": ("Write a comment; @name mentions a colleague", "写评论；用 @用户名 提及同事"),
    "send": ("Add comment", "发表评论"),
    "commented": ("commented", "发表了评论"),
    "approval": ("Approval", "审批"),
    "system": ("System", "系统"),
    "capped": ("Showing the latest {count} entries; the REST API has all of them.",
               "仅显示最近 {count} 条；完整记录请使用 REST API。"),
    "saved": ("Comment added.", "评论已发表。"),
    "refused": ("Not saved", "未保存"),
})
