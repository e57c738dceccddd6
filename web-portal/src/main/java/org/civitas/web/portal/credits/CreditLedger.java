package org.civitas.web.portal.credits;

import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Named;
import org.civitas.federation.coordinator.LedgerService;
import org.civitas.federation.common.NotFoundException;
import org.civitas.web.portal.Chart;
import org.civitas.web.portal.Texts;

import java.util.List;

/** The credit ledger page: accounts, the ledger's invariants, and one account's statement (the {@code account} parameter). */
@Named
@ViewScoped
public class CreditLedger implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    @EJB
    LedgerService ledger;

    private String account;
    private transient List<LedgerService.AccountView> accounts;
    private transient LedgerService.Check check;
    private transient LedgerService.Statement statement;
    private transient boolean statementLoaded;

    public List<LedgerService.AccountView> getAccounts() {
        if (accounts == null) {
            accounts = ledger.accounts();
        }
        return accounts;
    }

    public LedgerService.Check getCheck() {
        if (check == null) {
            check = ledger.check();
        }
        return check;
    }

    /** The selected account's statement, or null when none (or an unknown one) is selected. */
    public LedgerService.Statement getStatement() {
        if (!statementLoaded) {
            statementLoaded = true;
            if (account != null && !account.isBlank()) {
                try {
                    statement = ledger.statement(account);
                } catch (NotFoundException e) {
                    statement = null;
                }
            }
        }
        return statement;
    }

    public boolean isHasBalances() {
        return getAccounts().stream().anyMatch(a -> "ENTERPRISE".equals(a.kind()));
    }

    /** A Chart.js bar chart of the enterprises' balances. */
    public String getBalanceChart() {
        List<LedgerService.AccountView> enterprises = getAccounts().stream().filter(a -> "ENTERPRISE".equals(a.kind())).toList();
        return Chart.bar().horizontal()
                .labels(enterprises.stream().map(LedgerService.AccountView::enterprise).toList())
                .series(Texts.of("chart.credits"), enterprises.stream().map(a -> a.balance().doubleValue()).toList(), "#2563eb")
                .json();
    }

    public String getAccount() {
        return account;
    }

    public void setAccount(String account) {
        this.account = account;
    }
}
