"""Every text the dashboard screens show, in English and Chinese."""

from __future__ import annotations

from ..i18n import label_table

TEXT = label_table({
    "dashboards": ("Dashboards", "仪表盘"),
    "no_dashboard": ("No dashboard is meant for your roles yet.", "暂无适用于您角色的仪表盘。"),
    "not_allowed": ("You may not see these records.", "您无权查看这些记录。"),
    "failed": ("This card cannot be shown", "此卡片无法显示"),
    "no_data": ("No data", "暂无数据"),
    "no_records": ("No records", "暂无记录"),
    "empty": ("(empty)", "（空）"),
    "yes": ("Yes", "是"),
    "no": ("No", "否"),
    "open_list": ("Open the list", "打开列表"),
    "loading": ("Loading…", "加载中…"),
    "count": ("Count", "数量"),
    "sum": ("Sum", "合计"),
    "avg": ("Average", "平均"),
})
