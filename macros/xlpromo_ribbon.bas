Attribute VB_Name = "xlpromo_ribbon"
' xlpromo 促销活动功能区的按钮回调（customUI14.xml 中的 onAction）。
' 每个按钮通过 xlwings 的 RunPython 调用 xlpromo.excel.buttons 中同名的 Python 函数；
' 这些函数处理当前活动工作簿（不是本加载项），完成后用消息框报告问题与预警条数。
' Python 解释器由 `xlpromo install-addin` 写入用户的 xlwings.conf。
Option Explicit

Private Const TITLE As String = "xlpromo 促销活动"

' 按钮需要一个打开的工作簿：没有时提示，而不去启动 Python。
Private Function HasWorkbook() As Boolean
    If ActiveWorkbook Is Nothing Then
        MsgBox "请先打开要处理的活动主工作簿（.xlsx），再点击按钮。", vbExclamation, TITLE
        HasWorkbook = False
    Else
        HasWorkbook = True
    End If
End Function

' 检查 / 校验：逐格校验并列出问题与预警
Sub XP_Validate(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.validate()"
End Sub

' 检查 / 预警高亮：写入状态列，由条件格式标色
Sub XP_Highlight(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.highlight()"
End Sub

' 检查 / 清除标记：清空状态列，取消高亮
Sub XP_ClearMarks(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.clear_marks()"
End Sub

' 计算 / 重算：填入计算结果，生成“问题清单”和“预警”工作表
Sub XP_Recalc(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.recalc()"
End Sub

' 数据 / 生成日计划：每个活动日 × 指标一行计划，另存为“名称.日计划.xlsx”
Sub XP_Plan(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.plan_days()"
End Sub

' 数据 / 导入数据：平台导出的数据填入每日监控的实际值，另存为“名称.导入.xlsx”
Sub XP_Import(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.import_data()"
End Sub

' 复盘 / 生成复盘：根据数据生成运营效果复盘报告
Sub XP_Review(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.review()"
End Sub

' 日报 / 数据日报：进度、未达标、各部门待处理，写在“日报”工作表
Sub XP_Daily(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.daily()"
End Sub

' 活动 / 新建活动：由模板新建一个活动主工作簿
Sub XP_NewCampaign(control As IRibbonControl)
    RunPython "import xlpromo.excel.buttons as b; b.new_campaign()"
End Sub

' 活动 / 合并回传：把各部门填写后发回的副本合并到当前主工作簿
Sub XP_Merge(control As IRibbonControl)
    If Not HasWorkbook() Then Exit Sub
    RunPython "import xlpromo.excel.buttons as b; b.merge_copies()"
End Sub

' 活动 / 关于：说明与自检（不需要 Python）
Sub XP_About(control As IRibbonControl)
    MsgBox "xlpromo 电商促销活动加载项" & vbCrLf & vbCrLf & _
           "校验、预警高亮、清除标记、重算、生成日计划、导入数据、生成复盘、日报、新建活动、合并回传：" & vbCrLf & _
           "由本机的 Python（xlpromo + xlwings）处理当前活动工作簿。" & vbCrLf & vbCrLf & _
           "自定义函数（仅 Windows）：XP_ACHIEVE、XP_DOD、XP_STATUS、" & vbCrLf & _
           "XP_SAFETY_STOCK、XP_PHASE、XP_PACE。" & vbCrLf & vbCrLf & _
           "没有 Excel 时请使用命令行：xlpromo check / recalc / plan / import / report / daily。" & vbCrLf & _
           "加载项自检：" & XP_SelfTest(), vbInformation, TITLE
End Sub
