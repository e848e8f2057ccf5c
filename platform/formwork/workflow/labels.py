"""Every text the approval screens show, in English and Chinese (the screens follow the user's language)."""

from __future__ import annotations

from ..i18n import label_table

#: a record's approval state; "draft" is a record never submitted
STATUS = label_table({
    "draft": ("Draft", "草稿"),
    "pending": ("In approval", "审批中"),
    "approved": ("Approved", "已通过"),
    "rejected": ("Rejected", "已驳回"),
    "withdrawn": ("Withdrawn", "已撤回"),
    "returned": ("Returned for changes", "已退回修改"),
})
STATUS_COLOUR = {"draft": "fw-gray", "pending": "fw-blue", "approved": "fw-green", "rejected": "fw-red",
                 "withdrawn": "fw-gray", "returned": "fw-orange"}

TASK_STATUS = label_table({
    "pending": ("Waiting for decision", "待处理"),
    "waiting": ("Not open yet", "尚未轮到"),
    "approved": ("Approved", "已同意"),
    "rejected": ("Rejected", "已驳回"),
    "returned": ("Returned", "已退回"),
    "no_response": ("No response needed", "无需处理"),
    "transferred": ("Transferred", "已转交"),
    "cancelled": ("Cancelled", "已取消"),
    "replaced": ("Replaced", "已替换"),
    "escalated": ("Escalated", "已升级"),
})

#: event actions in the timeline
EVENT = label_table({
    "submit": ("Submitted", "提交"),
    "step_started": ("Step started", "进入环节"),
    "step_skipped": ("Step skipped", "跳过环节"),
    "step_auto_approved": ("Step approved automatically", "环节自动通过"),
    "step_approved": ("Step approved", "环节通过"),
    "step_rejected": ("Step rejected", "环节驳回"),
    "auto_approve": ("Approved automatically", "自动同意"),
    "approve": ("Approved", "同意"),
    "reject": ("Rejected", "驳回"),
    "return": ("Returned to an earlier step", "退回到前一环节"),
    "returned_to_submitter": ("Returned to the submitter", "退回提交人"),
    "withdraw": ("Withdrawn", "撤回"),
    "transfer": ("Transferred", "转交"),
    "add_before": ("Approver added before", "前加签"),
    "add_after": ("Approver added after", "后加签"),
    "delegated": ("Delegated", "委托"),
    "urge": ("Urged", "催办"),
    "comment": ("Comment", "评论"),
    "cc": ("Copied to", "抄送"),
    "notify": ("Notified", "通知"),
    "approver_replaced": ("Approver replaced", "审批人已替换"),
    "fields_set": ("Fields set", "字段已更新"),
    "approved": ("Request approved", "审批通过"),
    "rejected": ("Request rejected", "审批驳回"),
    "moved": ("Moved to the current version", "迁移到当前版本"),
    "reopen": ("Reopened", "重新打开"),
    "locked_change": ("Changed while locked", "锁定后修改"),
})

#: the buttons of the panel, and what is flashed when one worked
BUTTON = label_table({
    "submit": ("Submit for approval", "提交审批"),
    "approve": ("Approve", "同意"),
    "reject": ("Reject", "驳回"),
    "return": ("Return to step", "退回到环节"),
    "transfer": ("Transfer", "转交"),
    "add_before": ("Add approver before me", "前加签"),
    "add_after": ("Add approver after me", "后加签"),
    "withdraw": ("Withdraw", "撤回"),
    "urge": ("Urge", "催办"),
    "comment": ("Comment", "评论"),
    "bulk_approve": ("Approve selected", "批量同意"),
    "move": ("Move to the current version", "迁移到当前版本"),
    "reopen": ("Reopen", "重新打开"),
})
DONE = label_table({
    "submit": ("Submitted for approval.", "已提交审批。"),
    "approve": ("Approved.", "已同意。"),
    "reject": ("Rejected.", "已驳回。"),
    "return": ("Returned to the earlier step.", "已退回到前一环节。"),
    "transfer": ("Transferred.", "已转交。"),
    "add_before": ("Approver added; your task waits for theirs.", "已加签，您的任务将在其同意后开启。"),
    "add_after": ("Approved; the added approver decides next.", "已同意，加签人将继续审批。"),
    "withdraw": ("Withdrawn.", "已撤回。"),
    "urge": ("Reminder sent.", "已催办。"),
    "comment": ("Comment added.", "已添加评论。"),
    "move": ("Moved to the current version of the chain.", "已迁移到审批流程的当前版本。"),
    "reopen": ("Reopened: the record can be changed and submitted again.", "已重新打开：记录可修改并重新提交。"),
})

TEXT = label_table({
    "approval": ("Approval", "审批"),
    "approvals": ("Approvals", "审批"),
    "status": ("Status", "状态"),
    "step": ("Step", "环节"),
    "approvers": ("Approvers", "审批人"),
    "approver": ("Approver", "审批人"),
    "decided_at": ("Decided at", "处理时间"),
    "timeline": ("Timeline", "审批记录"),
    "time": ("Time", "时间"),
    "who": ("Who", "操作人"),
    "action": ("Action", "操作"),
    "comment": ("Comment", "意见"),
    "attachments": ("Attachments", "附件"),
    "details": ("Details", "详情"),
    "round": ("Round", "轮次"),
    "system": ("System", "系统"),
    "delegated_from": ("for", "代"),
    "person": ("User name", "用户名"),
    "choose": ("Approvers you choose", "自选审批人"),
    "required": ("required", "必填"),
    "no_events": ("Nothing has happened yet.", "暂无记录。"),
    "record": ("Record", "记录"),
    "chain": ("Approval", "审批流程"),
    "submitter": ("Submitted by", "提交人"),
    "submitted_at": ("Submitted at", "提交时间"),
    "asked_at": ("Asked at", "到达时间"),
    "waiting_for": ("Waiting for", "待审批人"),
    "decision": ("My decision", "我的处理"),
    "copied_at": ("Copied at", "抄送时间"),
    "empty": ("Nothing here.", "暂无内容。"),
    "page": ("Page", "页"),
    "previous": ("Previous", "上一页"),
    "next": ("Next", "下一页"),
    "select_all": ("Select all", "全选"),
    "refused": ("Refused: {}", "操作被拒绝：{}"),
    "already_decided": ("Already decided: {}", "已被处理：{}"),
    "refusals_separator": ("; ", "；"),
    "comment_too_long": ("The comment is too long (at most 4,000 characters).", "意见过长（最多 4000 字）。"),
    "comment_empty": ("Write a comment first.", "请先填写评论。"),
    "may_not_submit": ("You may not edit this record, so you cannot submit it for approval.",
                       "您无权编辑该记录，因此不能提交审批。"),
    "nothing_selected": ("Select the tasks to approve first.", "请先选择要同意的任务。"),
    "bulk_approved": ("{} approved", "已同意 {} 项"),
    "bulk_already": ("{} already decided", "{} 项已被处理"),
    "bulk_refused": ("{} refused: {}", "{} 项被拒绝：{}"),
    "reason": ("Reason (required)", "原因（必填）"),
    "override": ("This record is locked by its approval. As an admin you may change it: give the reason with your save.",
                 "该记录已被审批锁定。管理员可修改：保存时请填写原因。"),
})

#: the inbox's tabs, in order
TABS = label_table({
    "to_approve": ("To approve", "待我审批"),
    "submitted": ("Submitted by me", "我提交的"),
    "cc": ("CC'd to me", "抄送我的"),
    "done": ("Done", "我已处理"),
})
