Attribute VB_Name = "xlpromo_selftest"
' 加载项自检：不依赖 Python 与 xlwings。在单元格中输入 =XP_SelfTest() 可确认加载项已载入；
' LibreOffice 的测试也调用它，证明本加载项中的 VBA 工程能被另一个程序读出并运行。
Option Explicit

' 种子数据中的日报示例：GMV 目标 6 万元，实际 5.8 万元，达成率 96.7%（千分比 967）
Public Function XP_SelfTest() As String
    Dim permille As Long
    permille = Round(5.8 / 6 * 1000)
    XP_SelfTest = "xlpromo-ok 达成率" & CStr(permille) & "‰"
End Function
